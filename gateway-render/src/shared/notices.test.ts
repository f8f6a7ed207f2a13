import { HOSTILE_RETURN_PATHS } from '../../test/helpers/hostile-return-paths';
import {
  isFactorChangeNotice,
  noticeFromQuery,
  NOTICES,
  withNotice,
  withoutNotice,
} from './notices';

describe('noticeFromQuery', () => {
  it('maps known keys to their fixed message and ignores anything else', () => {
    expect(noticeFromQuery({ notice: 'password-reset' })).toBe(NOTICES['password-reset']);
    for (const notice of ['<b>hi</b>', 'constructor', '__proto__', ['password-reset'], undefined]) {
      expect(noticeFromQuery({ notice })).toBeNull();
    }
  });

  it('says how many sessions ended, only from digits', () => {
    expect(noticeFromQuery({ notice: 'sessions-revoked', count: '1' })).toBe(
      'Signed out 1 other device.',
    );
    expect(noticeFromQuery({ notice: 'sessions-revoked', count: '3' })).toBe(
      'Signed out 3 other devices.',
    );
    expect(noticeFromQuery({ notice: 'sessions-revoked', count: '0' })).toBe(
      'No other device was signed in.',
    );
    expect(noticeFromQuery({ notice: 'sessions-revoked', count: '2 or <b>x</b>' })).toBe(
      NOTICES['sessions-revoked'],
    );
  });
});

describe('withNotice and withoutNotice', () => {
  it('add and remove the notice, keeping the rest of the query', () => {
    expect(withNotice('/my-list?after=abc', 'verification-sent')).toBe(
      '/my-list?after=abc&notice=verification-sent',
    );
    expect(withNotice('/account', 'sessions-revoked', { count: '2' })).toBe(
      '/account?notice=sessions-revoked&count=2',
    );
    expect(withoutNotice('/?tag=drama&notice=email-verified#top')).toBe('/?tag=drama');
  });

  it('never lead off the site, even from a path that a URL parser would normalise', () => {
    const site = 'https://movies.example';
    for (const path of [...HOSTILE_RETURN_PATHS, '/..//evil.example', '/./..//evil.example/x']) {
      for (const result of [withNotice(path, 'already-verified'), withoutNotice(path)]) {
        expect({ path, origin: new URL(result, site).origin }).toEqual({ path, origin: site });
      }
    }
  });
});

describe('isFactorChangeNotice', () => {
  it('is true only after a change of how one signs in', () => {
    for (const notice of ['passkey-added', 'passkey-removed', 'two-factor-on', 'two-factor-off']) {
      expect(isFactorChangeNotice({ notice })).toBe(true);
    }
    for (const notice of ['passkey-renamed', 'password-changed', 'welcome', ['passkey-added'], 1]) {
      expect(isFactorChangeNotice({ notice })).toBe(false);
    }
  });
});

import { SignJWT } from 'jose';
import { accessTokenExpiry, needsRefresh, REFRESH_MARGIN_SECONDS } from './refresh';

async function tokenExpiringAt(exp: number): Promise<string> {
  return new SignJWT({ sub: 'u' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode('x'.repeat(32)));
}

describe('needsRefresh', () => {
  const now = Date.UTC(2026, 10, 24, 12, 0, 0);
  const nowSeconds = now / 1000;

  it('refreshes a missing, undecodable, expired or nearly expired token', async () => {
    expect(needsRefresh(undefined, now)).toBe(true);
    expect(needsRefresh('not-a-jwt', now)).toBe(true);
    expect(needsRefresh(await tokenExpiringAt(nowSeconds - 1), now)).toBe(true);
    expect(needsRefresh(await tokenExpiringAt(nowSeconds + REFRESH_MARGIN_SECONDS - 1), now)).toBe(
      true,
    );
  });

  it('keeps a token with more than the margin left', async () => {
    const token = await tokenExpiringAt(nowSeconds + 10 * 60);
    expect(accessTokenExpiry(token)).toBe(nowSeconds + 600);
    expect(needsRefresh(token, now)).toBe(false);
  });
});

import { formatDateTime } from './date-time';

describe('formatDateTime', () => {
  it('writes the UTC date and time, the same in every time zone (server and browser)', () => {
    expect(formatDateTime('2026-05-01T23:59:30.000Z')).toBe('2026-05-01 23:59 UTC');
    expect(formatDateTime('2026-01-02T03:04:00+05:00')).toBe('2026-01-01 22:04 UTC');
  });

  it('writes nothing for a value that is no date', () => {
    expect(formatDateTime('')).toBe('');
    expect(formatDateTime('not a date')).toBe('');
  });
});

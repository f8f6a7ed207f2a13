import { boundErrors, MAX_LISTED_ERRORS } from './error-list.plugin';

const errors = (count: number, code = 'FORBIDDEN') =>
  Array.from({ length: count }, (_, i) => ({ message: `error ${i}`, extensions: { code } }));

describe('boundErrors', () => {
  it('leaves short lists alone', () => {
    const list = errors(MAX_LISTED_ERRORS);
    expect(boundErrors(list)).toBe(list);
  });

  it('keeps the first 20 and sums up the rest in one error with their shared code', () => {
    const bounded = boundErrors(errors(10_000));
    expect(bounded).toHaveLength(MAX_LISTED_ERRORS + 1);
    expect(bounded[19]?.message).toBe('error 19');
    expect(bounded[20]).toEqual({
      message: '…and 9,980 more errors',
      extensions: { code: 'FORBIDDEN', omittedErrors: 9980 },
    });
  });

  it('gives the summary no code when the omitted errors differ', () => {
    const bounded = boundErrors([...errors(20), ...errors(1, 'NOT_FOUND'), ...errors(1)]);
    expect(bounded[20]).toEqual({
      message: '…and 2 more errors',
      extensions: { omittedErrors: 2 },
    });
    expect(boundErrors(errors(21))[20]?.message).toBe('…and 1 more error');
  });
});

import { MongoCommandError } from '../errors';
import { silentLogger } from '../logger';
import { withVariables } from '../query/mingo-options';
import type { Collection } from '../storage/collection';
import type { CommandContext } from './context';
import { checkDocumentValidation } from './validation';

const context = { logger: silentLogger } as unknown as CommandContext;

function codeOf(run: () => void): number | string | undefined {
  try {
    run();
    return 'accepted';
  } catch (error) {
    return error instanceof MongoCommandError ? error.code : String(error);
  }
}

describe('validators and command let variables', () => {
  it('never keeps the let variables of the command that compiled the validator', () => {
    // A validator stored before create refused undefined variables (an older data
    // directory): compiled first inside an update with `let: { x: 5 }`.
    const coll = {
      namespace: 'v.val',
      options: { validator: { $expr: { $ne: ['$a', '$$x'] } } },
    } as unknown as Collection;
    const check = (doc: Record<string, unknown>) => () =>
      checkDocumentValidation(context, coll, doc, undefined, false);
    // Inside the let command the validator does not see x either (mongod's never do).
    expect(withVariables({ x: 5 }, () => codeOf(check({ _id: 1, a: 6 })))).toBe(17276);
    // A later plain insert is judged without any frozen x: not "a:5 fails, a:6 passes".
    expect(codeOf(check({ _id: 2, a: 5 }))).toBe(17276);
    expect(codeOf(check({ _id: 3, a: 6 }))).toBe(17276);
  });

  it('judges validators without variables the same inside and outside a let command', () => {
    const coll = {
      namespace: 'v.ok',
      options: { validator: { $expr: { $gt: ['$a', { $let: { vars: { x: 1 }, in: '$$x' } }] } } },
    } as unknown as Collection;
    const check = (doc: Record<string, unknown>) => () =>
      checkDocumentValidation(context, coll, doc, undefined, false);
    expect(withVariables({ x: 100 }, () => codeOf(check({ _id: 1, a: 2 })))).toBe('accepted');
    expect(codeOf(check({ _id: 2, a: 0 }))).toBe(121);
    expect(codeOf(check({ _id: 3, a: 2 }))).toBe('accepted');
  });
});

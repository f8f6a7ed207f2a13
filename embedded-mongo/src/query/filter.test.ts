import { ObjectId } from 'bson';
import { commandContext } from '../../test/helpers';
import { runCommand } from '../commands/index';
import { parseCollation } from './collation';
import type { Doc } from './documents';
import { compileFilter, compiledFilterCount } from './filter';
import { withVariables } from './mingo-options';

describe('compiled filter cache', () => {
  it('shares one predicate between equal filters', () => {
    const first = compileFilter({ title: 'Alien', _id: { $gt: 3 } });
    const second = compileFilter({ title: 'Alien', _id: { $gt: 3 } });
    expect(second).toBe(first);
    expect(first({ _id: 4, title: 'Alien' })).toBe(true);
    expect(first({ _id: 2, title: 'Alien' })).toBe(false);
  });

  it('keeps apart filters that differ only in a BSON type, a flag or field order', () => {
    const doc = {
      a: 1,
      s: 'ABC',
      at: new Date(1000),
      id: new ObjectId('65a000000000000000000001'),
    };
    expect(compileFilter({ a: 1 })(doc)).toBe(true);
    expect(compileFilter({ a: '1' })(doc)).toBe(false);
    expect(compileFilter({ at: new Date(1000) })(doc)).toBe(true);
    expect(compileFilter({ at: 1000 })(doc)).toBe(false);
    expect(compileFilter({ s: /abc/i })(doc)).toBe(true);
    expect(compileFilter({ s: /abc/ })(doc)).toBe(false);
    expect(compileFilter({ id: new ObjectId('65a000000000000000000001') })(doc)).toBe(true);
    expect(compileFilter({ id: new ObjectId('65a000000000000000000002') })(doc)).toBe(false);
    // To mongod, sub-document equality depends on field order: such filters never share.
    expect(compileFilter({ d: { y: 2, x: 1 } })).not.toBe(compileFilter({ d: { x: 1, y: 2 } }));
  });

  it('keeps a collated filter apart from the same filter without, or under another collation', () => {
    const loose = parseCollation({ locale: 'fr', strength: 1 });
    const strict = parseCollation({ locale: 'fr', strength: 3 });
    const filter = { name: 'cafe' };
    const doc = { name: 'Café' };
    expect(compileFilter(filter)(doc)).toBe(false);
    expect(compileFilter(filter, loose)(doc)).toBe(true);
    expect(compileFilter(filter, strict)(doc)).toBe(false);
    expect(compileFilter(filter, loose)(doc)).toBe(true);
  });

  it('compiles filters reading `let` variables for each command', () => {
    const filter = { $expr: { $eq: ['$n', '$$want'] } };
    const five = withVariables({ want: 5 }, () => compileFilter(filter));
    const six = withVariables({ want: 6 }, () => compileFilter(filter));
    expect(six).not.toBe(five);
    expect(five({ n: 5 })).toBe(true);
    expect(six({ n: 5 })).toBe(false);
  });

  it('does not hold stateful regexes', () => {
    expect(compileFilter({ s: /a/g })).not.toBe(compileFilter({ s: /a/g }));
  });

  it('stays bounded', () => {
    for (let i = 0; i < 1200; i += 1) compileFilter({ bounded: i });
    expect(compiledFilterCount()).toBeLessThanOrEqual(500);
    // The most recent filters are the ones kept.
    expect(compileFilter({ bounded: 1199 })).toBe(compileFilter({ bounded: 1199 }));
  });
});

describe('commands sharing a filter', () => {
  const context = commandContext();

  async function ids(command: Doc): Promise<unknown[]> {
    const reply = await runCommand({ ...command, $db: 'app' }, context);
    expect(reply).toMatchObject({ ok: 1 });
    const batch = (reply.cursor as { firstBatch: Doc[] }).firstBatch;
    return batch.map((doc) => doc._id);
  }

  beforeAll(async () => {
    await runCommand(
      {
        insert: 'items',
        documents: [
          { _id: 1, n: 5, name: 'cafe' },
          { _id: 2, n: 6, name: 'Café' },
        ],
        $db: 'app',
      },
      context,
    );
  });

  it('answer each with its own `let` values', async () => {
    const filter = { $expr: { $eq: ['$n', '$$want'] } };
    expect(await ids({ find: 'items', filter, let: { want: 5 } })).toEqual([1]);
    expect(await ids({ find: 'items', filter, let: { want: 6 } })).toEqual([2]);
    expect(await ids({ find: 'items', filter, let: { want: 5 } })).toEqual([1]);
  });

  it('answer each with its own collation', async () => {
    const filter = { name: 'cafe' };
    expect(await ids({ find: 'items', filter })).toEqual([1]);
    expect(
      await ids({
        find: 'items',
        filter,
        collation: { locale: 'fr', strength: 1 },
        sort: { _id: 1 },
      }),
    ).toEqual([1, 2]);
    expect(await ids({ find: 'items', filter })).toEqual([1]);
  });
});

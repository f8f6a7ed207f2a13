// The base class: the server compiles through it, and the package root's Query extends it.
import { Query } from 'mingo/query';
import { commandContext } from '../../test/helpers';
import type { Doc } from '../query/documents';
import { runCommand } from './index';

/**
 * Embedded server internals: equality lookups on `_id` and on indexed fields must not scan.
 * Every document a command examines goes through mingo's `Query.test`, so counting those calls
 * tells a lookup (one or two candidates) from a scan (every document) for each command path.
 */
describe('equality lookups through the commands', () => {
  const context = commandContext();
  const SIZE = 1000;

  async function run(command: Doc): Promise<Doc> {
    const reply = await runCommand({ ...command, $db: 'app' }, context);
    expect(reply).toMatchObject({ ok: 1 });
    return reply;
  }

  /** How many documents mingo tested while `command` ran. */
  async function examined(command: Doc): Promise<number> {
    const spy = jest.spyOn(Query.prototype, 'test');
    try {
      await run(command);
      return spy.mock.calls.length;
    } finally {
      spy.mockRestore();
    }
  }

  beforeAll(async () => {
    await run({
      createIndexes: 'users',
      indexes: [
        { key: { email: 1 }, name: 'email_1', unique: true },
        { key: { team: 1, role: 1 }, name: 'team_1_role_1' },
      ],
    });
    await run({
      insert: 'users',
      documents: Array.from({ length: SIZE }, (_, i) => ({
        _id: i,
        email: `u${i}@x.io`,
        team: i % 10,
        role: i % 3,
        n: 0,
      })),
    });
  });

  it('finds by _id, $in on _id, a unique field and a compound index', async () => {
    expect(await examined({ find: 'users', filter: { _id: 7 }, limit: 1, singleBatch: true })).toBe(
      1,
    );
    expect(await examined({ find: 'users', filter: { _id: { $in: [1, 2, 3] } } })).toBe(3);
    expect(await examined({ find: 'users', filter: { email: 'u5@x.io', n: 0 } })).toBe(1);
    expect(await examined({ find: 'users', filter: { team: 3, role: 1 } })).toBeLessThanOrEqual(
      SIZE / 10,
    );
    // Only the compound index's first field: its prefix still narrows the candidates.
    expect(await examined({ find: 'users', filter: { team: 3 } })).toBe(SIZE / 10);
  });

  it('updates, deletes, findAndModifies, counts and aggregates by an indexed field', async () => {
    expect(
      await examined({
        update: 'users',
        updates: [{ q: { email: 'u9@x.io' }, u: { $inc: { n: 1 } } }],
      }),
    ).toBe(1);
    expect(
      await examined({ findAndModify: 'users', query: { _id: 10 }, update: { $set: { n: 2 } } }),
    ).toBe(1);
    expect(await examined({ count: 'users', query: { email: 'u11@x.io' } })).toBe(1);
    expect(
      await examined({
        aggregate: 'users',
        pipeline: [{ $match: { email: 'u12@x.io' } }, { $group: { _id: 1, n: { $sum: 1 } } }],
        cursor: {},
      }),
    ).toBe(1);
    expect(await examined({ delete: 'users', deletes: [{ q: { _id: 13 }, limit: 1 }] })).toBe(1);
  });

  it('scans when no index applies, which is what the counts above would show without one', async () => {
    expect(await examined({ find: 'users', filter: { n: 5 } })).toBeGreaterThan(SIZE / 2);
  });
});

import { Long, ObjectId } from 'bson';
import { MongoCommandError } from '../errors';
import { applyUpdate, buildUpsertDocument, upsertSeed } from './update';

describe('applyUpdate', () => {
  it('never mutates the stored document', () => {
    const stored = { _id: 1, a: { b: 1 }, list: [1] };
    const next = applyUpdate(
      stored,
      { $set: { 'a.b': 2 }, $push: { list: 2 } },
      { isInsert: false },
    );
    expect(next).toEqual({ _id: 1, a: { b: 2 }, list: [1, 2] });
    expect(stored).toEqual({ _id: 1, a: { b: 1 }, list: [1] });
  });

  it('does Long arithmetic for int64 values beyond 2^53', () => {
    const next = applyUpdate(
      { _id: 1, big: Long.fromString('9223372036854775000') },
      { $inc: { big: 7 } },
      { isInsert: false },
    );
    expect(next.big).toEqual(Long.fromString('9223372036854775007'));
  });

  it('raises MongoDB errors where mingo would do nothing', () => {
    const doc = { _id: 1, s: 'x', n: 1 };
    const code = (update: Record<string, unknown>): number | undefined => {
      try {
        applyUpdate(doc, update, { isInsert: false });
        return undefined;
      } catch (error) {
        return error instanceof MongoCommandError ? error.code : -1;
      }
    };
    expect(code({ $inc: { s: 1 } })).toBe(14);
    expect(code({ $push: { n: 1 } })).toBe(2);
    expect(code({ $addToSet: { s: 1 } })).toBe(2);
    expect(code({ $pop: { s: 1 } })).toBe(14);
    expect(code({ $set: { 's.deep': 1 } })).toBe(28);
    expect(code({ $set: { n: 1 }, $unset: { n: '' } })).toBe(40);
  });
});

describe('upserts', () => {
  it('seeds from equality predicates only', () => {
    expect(
      upsertSeed({
        email: 'a@b.c',
        'profile.name': { $eq: 'Ada' },
        age: { $gt: 3 },
        name: /x/,
        $and: [{ team: 't' }],
        $or: [{ ignored: 1 }],
      }),
    ).toEqual({ email: 'a@b.c', profile: { name: 'Ada' }, team: 't' });
  });

  it('applies the update and $setOnInsert, with _id first', () => {
    const doc = buildUpsertDocument(
      { key: 'k' },
      { $set: { v: 1 }, $setOnInsert: { created: true } },
      {},
    );
    expect(Object.keys(doc)).toEqual(['_id', 'key', 'v', 'created']);
    expect(doc._id).toBeInstanceOf(ObjectId);
  });
});

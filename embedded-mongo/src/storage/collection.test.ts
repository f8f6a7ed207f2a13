import { ObjectId } from 'bson';
import { Collection } from './collection';
import { normalizeIndexSpec } from './indexes';

describe('Collection lookups (embedded server internals)', () => {
  const coll = new Collection('test', 'items');
  coll.addIndex(normalizeIndexSpec({ key: { code: 1 }, unique: true }));
  coll.addIndex(normalizeIndexSpec({ key: { owner: 1, kind: 1 } }));
  coll.addIndex(normalizeIndexSpec({ key: { nick: 1 }, sparse: true }));
  coll.addIndex(
    normalizeIndexSpec({ key: { part: 1 }, partialFilterExpression: { kind: { $gt: 2 } } }),
  );
  const owners = [new ObjectId(), new ObjectId()];
  for (let i = 0; i < 1000; i += 1) {
    coll.insert({
      _id: i,
      code: `c${i}`,
      owner: owners[i % 2],
      kind: i % 5,
      nick: `n${i}`,
      part: `p${i}`,
    });
  }

  it('answers equality on _id and on indexed fields without scanning', () => {
    expect([...coll.candidates({ _id: 7 })]).toHaveLength(1);
    expect([...coll.candidates({ _id: { $in: [1, 2, 3] } })]).toHaveLength(3);
    expect([...coll.candidates({ code: 'c999', other: 1 })]).toHaveLength(1);
    expect([...coll.candidates({ code: { $eq: 'c3' } })]).toHaveLength(1);
    const compound = [...coll.candidates({ owner: owners[1], kind: 3 })];
    expect(compound).toHaveLength(100);
    expect(compound.every((doc) => doc.kind === 3 && doc.owner === owners[1])).toBe(true);
  });

  it('uses a sparse index and a compound index prefix for equality', () => {
    expect([...coll.candidates({ nick: 'n1' })]).toHaveLength(1);
    const byOwner = [...coll.candidates({ owner: owners[0] })];
    expect(byOwner).toHaveLength(500);
    expect(byOwner.every((doc) => doc.owner === owners[0])).toBe(true);
  });

  it('falls back to a scan when no index applies', () => {
    expect([...coll.candidates({ kind: 3 })]).toHaveLength(1000); // only a compound suffix
    expect([...coll.candidates({ nick: null })]).toHaveLength(1000); // null also matches missing
    expect([...coll.candidates({ code: /c1/ })]).toHaveLength(1000);
    expect([...coll.candidates({ part: 'p1' })]).toHaveLength(1000); // partial index
  });

  it('keeps the index in step with replaces and removals', () => {
    coll.replace(coll.docs.keys().next().value ?? '', {
      _id: 0,
      code: 'zero',
      owner: owners[0],
      kind: 0,
    });
    expect(coll.match({ code: 'c0' })).toHaveLength(0);
    expect(coll.match({ code: 'zero' })).toEqual([expect.objectContaining({ _id: 0 })]);
    const removed = coll.match({ code: 'c5' })[0];
    expect(removed).toBeDefined();
    coll.remove(String([...coll.docs.entries()].find(([, doc]) => doc === removed)?.[0]));
    expect([...coll.candidates({ code: 'c5' })]).toHaveLength(0);
  });
});

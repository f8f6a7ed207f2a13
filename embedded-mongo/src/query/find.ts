import { find as mingoFind } from 'mingo';
import type { Collection } from '../storage/collection';
import type { Doc } from './documents';
import { cloneDoc } from './documents';
import { MINGO_OPTIONS } from './mingo-options';
import { sortDocuments } from './sort';

export interface FindOptions {
  filter?: Doc;
  sort?: Doc;
  projection?: Doc;
  skip?: number;
  /** 0 means no limit. */
  limit?: number;
}

/**
 * The shared read path: candidates from the collection's indexes, the full filter through
 * mingo, then sort, skip, limit and projection. Returned documents may be the stored
 * objects themselves, so nothing here may modify them (updates replace them instead).
 */
export function findDocuments(coll: Collection | undefined, options: FindOptions): Doc[] {
  if (!coll) return [];
  const filter = options.filter ?? {};
  const skip = Math.max(0, options.skip ?? 0);
  const limit = Math.abs(options.limit ?? 0);
  const sort = options.sort && Object.keys(options.sort).length > 0 ? options.sort : undefined;
  let docs = coll.match(filter, !sort && limit > 0 ? skip + limit : 0);
  if (sort) docs = sortDocuments(docs, sortSpec(sort));
  if (skip > 0 || limit > 0) docs = docs.slice(skip, limit > 0 ? skip + limit : undefined);
  const projection = options.projection;
  if (projection && Object.keys(projection).length > 0) {
    docs = project(docs, projection);
  }
  return docs;
}

/**
 * mingo applies exclusions of nested paths (`{ 'a.secret': 0 }`) by deleting from the objects
 * it is given, so it projects copies: handing it stored documents would change the data.
 */
function project(docs: Doc[], projection: Doc): Doc[] {
  return mingoFind(
    docs.map((doc) => cloneDoc(doc)),
    {},
    projection,
    MINGO_OPTIONS,
  ).all() as Doc[];
}

/** Drops `$meta` sort keys (text scores do not exist here) and keeps 1/-1 directions. */
export function sortSpec(sort: Doc): Record<string, 1 | -1> {
  const out: Record<string, 1 | -1> = {};
  for (const [field, direction] of Object.entries(sort)) {
    if (typeof direction === 'number') out[field] = direction < 0 ? -1 : 1;
  }
  return out;
}

/** Applies a find-style projection to one document. */
export function projectDocument(doc: Doc, projection: Doc | undefined): Doc {
  if (!projection || Object.keys(projection).length === 0) return doc;
  return project([doc], projection)[0] ?? {};
}

import { Aggregator, ProcessingMode } from 'mingo';
import { MongoCommandError } from '../errors';
import type { Collection } from '../storage/collection';
import type { Doc } from './documents';
import { cloneDoc, isPlainObject } from './documents';
import { MINGO_OPTIONS } from './mingo-options';

const UNSUPPORTED_STAGES = new Set(['$out', '$merge', '$changeStream', '$search', '$geoNear']);

/**
 * Runs an aggregation pipeline. A leading `$match` is answered through the collection's
 * indexes; the rest runs in mingo on copies of the documents, so stages that modify
 * documents can never reach the stored ones. `$lookup` resolves other collections of the
 * same database.
 */
export function runAggregation(
  coll: Collection | undefined,
  pipeline: unknown[],
  resolve: (name: string) => Collection | undefined,
): Doc[] {
  const stages: Doc[] = pipeline.map((stage) => {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw new MongoCommandError(
        'Location40323',
        'A pipeline stage specification object must contain exactly one field.',
      );
    }
    const name = Object.keys(stage)[0];
    if (UNSUPPORTED_STAGES.has(name)) {
      throw new MongoCommandError(
        'NotImplemented',
        `${name} is not supported by the embedded server`,
      );
    }
    return stage;
  });
  let input: Doc[];
  let rest = stages;
  const first = stages[0];
  if (first && isPlainObject(first.$match)) {
    input = coll ? coll.match(first.$match) : [];
    rest = stages.slice(1);
  } else {
    input = coll ? [...coll.docs.values()] : [];
  }
  if (rest.length === 0) return input;
  const aggregator = new Aggregator(rest, {
    ...MINGO_OPTIONS,
    processingMode: ProcessingMode.CLONE_INPUT,
    collectionResolver: (name: string) => {
      const foreign = resolve(name);
      return foreign ? [...foreign.docs.values()].map((doc) => cloneDoc(doc)) : [];
    },
  });
  return aggregator.run(input);
}

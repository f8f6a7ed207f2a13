import { execute, parse, validate } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import { createContext } from 'graphql-api/context';
import type { ContextRequest } from 'graphql-api/context';
import { buildApiSchema } from 'graphql-api/schema';
import type { BenchEnv } from '../bench-env';
import type { Figure } from '../figure';
import { goal, ratioFigure } from '../figure';
import { alternate, opsPerSecond } from '../load';
import { buildPlainSchema } from '../plain-schema';
import { MOVIES_QUERY } from '../queries';

/**
 * P3: the API's type-graphql schema ÷ a hand-written graphql-js schema calling the same service.
 *
 * Both are executed with graphql-js `execute()` on the same pre-parsed, pre-validated document,
 * with a context built by the API's own `createContext`, in a loop of `connections` concurrent
 * operations in this process. Serving both through Apollo and HTTP would add the same fixed cost
 * (HTTP parsing, express, Apollo's request pipeline) to both sides and only pull the ratio towards
 * 1; executing them directly leaves the schema layer (resolver wrappers, argument validation,
 * the auth checker) as the only difference, which is what the figure is about. The database
 * round trips (find + countDocuments) are the same on both sides and are included.
 */
export async function schemaExecutionFigure(env: BenchEnv): Promise<Figure> {
  const { services, logger } = env.local.api;
  const typeGraphqlSchema = await buildApiSchema(services);
  const plainSchema = buildPlainSchema(services.movies);
  const document = parse(MOVIES_QUERY);
  for (const schema of [typeGraphqlSchema, plainSchema]) {
    const errors = validate(schema, document);
    if (errors.length > 0)
      throw new Error(`P3: query invalid: ${errors.map((e) => e.message).join('; ')}`);
  }
  const request = {
    headers: { 'x-api-key': env.publicApiKey },
    ip: '127.0.0.1',
  } as unknown as ContextRequest;

  const run = async (schema: GraphQLSchema): Promise<string> => {
    const contextValue = await createContext(services, request, logger);
    const result = await execute({ schema, document, contextValue });
    return JSON.stringify(result);
  };
  const first = await run(typeGraphqlSchema);
  const second = await run(plainSchema);
  if (first.includes('"errors"') || first !== second) {
    throw new Error(
      `P3: the two schemas answer differently:\n${first.slice(0, 300)}\n${second.slice(0, 300)}`,
    );
  }

  const { duration, warmup, connections } = env.config;
  await opsPerSecond(warmup, connections, () => run(typeGraphqlSchema));
  await opsPerSecond(warmup, connections, () => run(plainSchema));
  const measured = await alternate(
    duration,
    connections,
    () => run(typeGraphqlSchema),
    () => run(plainSchema),
  );
  return ratioFigure({
    id: 'P3',
    title: 'type-graphql schema ÷ hand-written graphql-js schema (execute(), same services)',
    measured: { label: 'type-graphql', value: measured.a, unit: 'ops/s' },
    baseline: { label: 'graphql-js', value: measured.b, unit: 'ops/s' },
    goal: goal('>=', 0.9),
    details: {
      segments: { typeGraphql: measured.segments.a, plain: measured.segments.b },
      concurrency: connections,
      method: 'graphql execute() in-process, same document, same createContext, same MovieService',
    },
    analysis:
      'Movie, PageInfo and the connection and edge types use simpleResolvers, so their fields ' +
      'resolve as in graphql-js; what is left is the movies query resolver, which type-graphql ' +
      'wraps (argument conversion into a ConnectionArgs instance, class-validator validation, ' +
      'the auth checker) before calling the same MovieService. Both wait for the same two ' +
      'database round trips (find + countDocuments), so the difference is small and segments ' +
      'of the alternating run (details.segments) spread about as much as the two sides differ.',
  });
}

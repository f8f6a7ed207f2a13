import 'reflect-metadata';
import path from 'node:path';
import { specifiedDirectives } from 'graphql';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { findRepoRoot } from './config';
import { createResolverContainer, RESOLVERS } from './services';
import type { Services } from './services';
import { authChecker } from './shared/auth-checker';
import { cacheControlDirective } from './shared/cache';
import { validateArgument } from './shared/validation';

/** Where the committed schema lives (the codegen source of gateway-render). */
export const SCHEMA_FILE = path.join(findRepoRoot(), 'schema', 'schema.graphql');

/**
 * Builds the executable schema. Without services (schema emission) resolvers are never called,
 * so the container is only needed when serving.
 */
export function buildApiSchema(services?: Services): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [...RESOLVERS],
    authChecker,
    authMode: 'error',
    validate: true,
    validateFn: validateArgument,
    // `directives` replaces graphql-js's list: keep the specified ones (@include, @skip,
    // @deprecated, @specifiedBy), which every client and tool may use.
    directives: [...specifiedDirectives, cacheControlDirective],
    ...(services ? { container: createResolverContainer(services) } : {}),
  });
}

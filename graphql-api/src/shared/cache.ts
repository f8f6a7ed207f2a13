import {
  DirectiveLocation,
  GraphQLBoolean,
  GraphQLDirective,
  GraphQLEnumType,
  GraphQLInt,
} from 'graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { recordCacheHint } from './cache-control.plugin';
import type { CacheHint } from './cache-control.plugin';

/** Seconds a cache may keep a catalog response. */
export const CATALOG_MAX_AGE = 60;

/** Apollo's cache-control directive, declared so types can say `inheritMaxAge`. */
export const cacheControlDirective = new GraphQLDirective({
  name: 'cacheControl',
  locations: [
    DirectiveLocation.FIELD_DEFINITION,
    DirectiveLocation.OBJECT,
    DirectiveLocation.INTERFACE,
    DirectiveLocation.UNION,
  ],
  args: {
    maxAge: { type: GraphQLInt },
    scope: {
      type: new GraphQLEnumType({
        name: 'CacheControlScope',
        values: { PUBLIC: { value: 'PUBLIC' }, PRIVATE: { value: 'PRIVATE' } },
      }),
    },
    inheritMaxAge: { type: GraphQLBoolean },
  },
});

/** Put on the catalog's object types so they take the hint of the root field that returned them. */
export const INHERIT_MAX_AGE = '@cacheControl(inheritMaxAge: true)';

/** The part of Apollo's `info.cacheControl` used here (set while fields are followed one by one). */
interface CacheControlInfo {
  cacheControl?: { setCacheHint(hint: CacheHint): void };
}

/**
 * A resolver's hint for its field: through `info.cacheControl` when the cache-control plugin
 * follows this document field by field, else recorded for the request (cache-control.plugin.ts).
 */
export function setCacheHint(info: GraphQLResolveInfo, context: object, hint: CacheHint): void {
  const control = (info as GraphQLResolveInfo & CacheControlInfo).cacheControl;
  if (control) control.setCacheHint(hint);
  else recordCacheHint(context, info, hint);
}

/**
 * Catalog reads by an API key alone are the same for everyone: PUBLIC. With a user they carry
 * `inMyList`: PRIVATE.
 */
export function setCatalogCacheHint(info: GraphQLResolveInfo, context: { user: unknown }): void {
  setCacheHint(info, context, {
    maxAge: CATALOG_MAX_AGE,
    scope: context.user ? 'PRIVATE' : 'PUBLIC',
  });
}

/**
 * A value about the calling user (their list's size): PRIVATE, and never kept by a cache
 * (`maxAge: 0`), so a response carrying it is neither shared nor served stale.
 */
export function setPerUserCacheHint(info: GraphQLResolveInfo, context: object): void {
  setCacheHint(info, context, { maxAge: 0, scope: 'PRIVATE' });
}

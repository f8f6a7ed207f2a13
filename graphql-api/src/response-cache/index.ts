// The public path: a response cache for the catalog reads the API marks PUBLIC (key-only and
// anonymous callers), invalidated in every process through the catalog's change counter.
export { ByteBudgetLru } from './byte-budget-lru';
export { canonicalJson } from './canonical-json';
export { CATALOG_VERSIONS_COLLECTION, CatalogVersion } from './catalog-version';
export type { CatalogVersionOptions } from './catalog-version';
export { GRAPHQL_BODY_LIMIT_BYTES, graphqlJsonParser, ResponseCache } from './response-cache';
export type { ResponseCacheOptions } from './response-cache';

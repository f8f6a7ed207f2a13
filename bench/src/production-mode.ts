// Imported first by run.ts: the in-process baselines (P3's graphql-js, P6's bare React render)
// run in production mode like the servers under test, or React and graphql-js would run their
// slower development checks on one side only. Under jest (NODE_ENV=test) it is left alone.
process.env.NODE_ENV ??= 'production';

export {};

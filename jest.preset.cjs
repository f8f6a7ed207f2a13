// Shared jest settings for every workspace. ts-jest compiles with the workspace's
// tsconfig (isolatedModules: transpile only, decorator metadata included); type
// checking is `tsc -b`'s job, run by `npm test` before jest.
const path = require('node:path');

/** @param {string} rootDir @param {Record<string, unknown>} [overrides] */
function preset(rootDir, overrides = {}) {
  return {
    rootDir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/{src,test}/**/*.test.ts?(x)'],
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    transform: {
      '^.+\\.tsx?$': ['ts-jest', { tsconfig: path.join(rootDir, 'tsconfig.json') }],
    },
    // Workspaces are tested against each other's sources, never a stale dist/.
    moduleNameMapper: {
      '^embedded-mongo/bench$': path.join(__dirname, 'embedded-mongo/bench/find-one.bench.ts'),
      '^embedded-mongo$': path.join(__dirname, 'embedded-mongo/src/index.ts'),
      '^graphql-api/(.*)$': path.join(__dirname, 'graphql-api/src/$1'),
      '^request-log$': path.join(__dirname, 'request-log/src/index.ts'),
    },
    ...overrides,
  };
}

module.exports = { preset };

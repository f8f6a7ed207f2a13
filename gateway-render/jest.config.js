const { preset } = require('../jest.preset.cjs');

module.exports = preset(__dirname, {
  // One database server for the run (embedded unless MONGODB_URI names a real one) and the
  // browser bundle built once; each test file starts its own API on its own database.
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 60_000,
});

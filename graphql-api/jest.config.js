const { preset } = require('../jest.preset.cjs');

module.exports = preset(__dirname, {
  // One database server for the whole run (embedded unless MONGODB_URI points at a real one).
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 30000,
});

const { preset } = require('../jest.preset.cjs');

// One embedded server for the whole run (or the real mongod named by MONGODB_URI).
module.exports = preset(__dirname, {
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  testTimeout: 30_000,
});

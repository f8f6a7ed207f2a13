const { preset } = require('../jest.preset.cjs');

// The smoke test starts real servers in child processes (from bench/dist, so build first).
module.exports = preset(__dirname, { testTimeout: 240_000 });

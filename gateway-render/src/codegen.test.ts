import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

// House rule 8: generated files are never edited by hand and a test fails when they are stale.
// This runs the root codegen.yml in memory (generate(config, false): nothing is written) and
// compares with the committed output. It runs in a child Node process because the codegen
// CLI loads ESM-only packages that jest's CommonJS runtime cannot require.
const root = path.resolve(__dirname, '..', '..');

const GENERATE_IN_MEMORY = `
const { generate, loadCodegenConfig } = require('@graphql-codegen/cli');
(async () => {
  const { config } = await loadCodegenConfig({ configFilePath: 'codegen.yml' });
  const outputs = await generate({ ...config, cwd: process.cwd(), silent: true }, false);
  process.stdout.write(JSON.stringify(outputs.map(({ filename, content }) => ({ filename, content }))));
})().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
`;

describe('codegen output', () => {
  it('matches what codegen.yml generates from schema/schema.graphql and the operations', () => {
    const stdout = execFileSync(process.execPath, ['-e', GENERATE_IN_MEMORY], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const outputs = JSON.parse(stdout) as { filename: string; content: string }[];
    expect(outputs.map((output) => path.basename(output.filename)).sort()).toEqual([
      'gql.ts',
      'graphql.ts',
      'index.ts',
    ]);
    for (const output of outputs) {
      const committed = readFileSync(path.resolve(root, output.filename), 'utf8');
      // On a mismatch: run `npm run codegen` and commit the result.
      expect({ file: output.filename, content: committed }).toEqual({
        file: output.filename,
        content: output.content,
      });
    }
  });
});

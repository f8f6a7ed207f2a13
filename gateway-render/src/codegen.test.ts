import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

// House rule 8: generated files are never edited by hand and a test fails when they are stale.
// This runs the root codegen.yml in memory (generate(config, false): nothing is written) and
// compares with the committed output. It runs in a child Node process because the codegen
// CLI loads ESM-only packages that jest's CommonJS runtime cannot require.
const root = path.resolve(__dirname, '..', '..');

/** The manifest the API loads at start-up (graphql-api's config.persistedDocuments). */
const MANIFEST = 'persisted-documents.json';
const COMMITTED_MANIFEST = path.join(root, 'gateway-render', 'src', '__generated__', MANIFEST);

// CODEGEN_REPLACE ({ file, content }) stands one operations file in for another, in memory:
// the file is left out of the documents and its new text given to codegen as a string.
const GENERATE_IN_MEMORY = `
const { generate, loadCodegenConfig } = require('@graphql-codegen/cli');
(async () => {
  const { config } = await loadCodegenConfig({ configFilePath: 'codegen.yml' });
  const replace = process.env.CODEGEN_REPLACE ? JSON.parse(process.env.CODEGEN_REPLACE) : null;
  const documents = replace ? [...config.documents, '!' + replace.file, replace.content] : config.documents;
  const outputs = await generate({ ...config, documents, cwd: process.cwd(), silent: true }, false);
  process.stdout.write(JSON.stringify(outputs.map(({ filename, content }) => ({ filename, content }))));
})().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
`;

interface GeneratedFile {
  filename: string;
  content: string;
}

/** What codegen.yml generates now, optionally with one operations file's text replaced. */
function generateInMemory(replace?: { file: string; content: string }): GeneratedFile[] {
  const stdout = execFileSync(process.execPath, ['-e', GENERATE_IN_MEMORY], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, CODEGEN_REPLACE: replace ? JSON.stringify(replace) : '' },
  });
  return JSON.parse(stdout) as GeneratedFile[];
}

/** The persisted-documents manifest among the outputs, parsed (id → document). */
function manifestOf(outputs: GeneratedFile[]): Record<string, string> {
  const output = outputs.find((file) => path.basename(file.filename) === MANIFEST);
  if (!output) throw new TypeError(`codegen generated no ${MANIFEST}`);
  return JSON.parse(output.content) as Record<string, string>;
}

describe('codegen output', () => {
  it('matches what codegen.yml generates from schema/schema.graphql and the operations', () => {
    const outputs = generateInMemory();
    expect(outputs.map((output) => path.basename(output.filename)).sort()).toEqual([
      'gql.ts',
      'graphql.ts',
      'index.ts',
      MANIFEST,
    ]);
    // The file the API reads is this output, so the comparison below covers it too.
    expect(outputs.map((output) => path.resolve(root, output.filename))).toContain(
      COMMITTED_MANIFEST,
    );
    for (const output of outputs) {
      const committed = readFileSync(path.resolve(root, output.filename), 'utf8');
      // On a mismatch: run `npm run codegen` and commit the result.
      expect({ file: output.filename, content: committed }).toEqual({
        file: output.filename,
        content: output.content,
      });
    }
  });

  it('goes stale when an operation changes: the manifest the API reads no longer matches', () => {
    const file = 'gateway-render/src/pages/movie/movie-public.graphql';
    const original = readFileSync(path.join(root, file), 'utf8');
    const committed = JSON.parse(readFileSync(COMMITTED_MANIFEST, 'utf8')) as Record<
      string,
      string
    >;
    // The same text through the same in-memory route: the same manifest (so what follows is
    // the change's doing, not the route's).
    expect(manifestOf(generateInMemory({ file, content: original }))).toEqual(committed);

    const changed = original.replace('    description\n', '    description\n    year\n');
    expect(changed).not.toBe(original);
    const regenerated = manifestOf(generateInMemory({ file, content: changed }));
    expect(regenerated).not.toEqual(committed);
    // The changed operation has a new id the committed manifest (and so the API) does not know.
    const newIds = Object.keys(regenerated).filter((id) => !(id in committed));
    expect(newIds).toHaveLength(1);
    expect(regenerated[newIds[0] ?? '']).toMatch(/query MoviePagePublic\b.* year /);
  });
});

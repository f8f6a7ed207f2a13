// Bundles the development playground (GraphiQL 5 and its Monaco editor) with esbuild into
// dist/public/playground/: the page script with its stylesheet, and Monaco's three web workers
// (editor, JSON, GraphQL), each a same-origin file, so the page loads nothing from a CDN.
// Used by `npm run build`/`npm start` and by the tests' global setup.
const { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const workspace = path.resolve(__dirname, '..');
const DEFAULT_OUT_DIR = path.join(workspace, 'dist', 'public', 'playground');
/** esbuild's list of the inputs of the last build, to tell whether a rebuild is needed. */
const METAFILE = 'meta.json';

/** The workers Monaco needs, resolved from @graphiql/react (whose versions they must match). */
function workerEntries() {
  const graphiqlDir = path.dirname(require.resolve('graphiql/package.json'));
  const react = path.dirname(
    require.resolve('@graphiql/react/package.json', { paths: [graphiqlDir] }),
  );
  const from = (specifier) => require.resolve(specifier, { paths: [react] });
  return {
    'editor.worker': from('monaco-editor/esm/vs/editor/editor.worker.js'),
    'json.worker': from('monaco-editor/esm/vs/language/json/json.worker.js'),
    'graphql.worker': from('monaco-graphql/esm/graphql.worker.js'),
  };
}

/** True when the last build's outputs exist and none of its inputs changed since. */
function isFresh(outDir) {
  const metaPath = path.join(outDir, METAFILE);
  if (!existsSync(metaPath)) return false;
  const builtAt = statSync(metaPath).mtimeMs;
  const meta = JSON.parse(readFileSync(metaPath, 'utf8'));
  const outputs = Object.keys(meta.outputs ?? {});
  // Also this script (the build options), and the lockfiles: npm keeps the packages' own file
  // times, so an upgraded GraphiQL can look older than the last build.
  const extra = [
    module.filename,
    path.join(workspace, 'package.json'),
    path.join(workspace, '..', 'package-lock.json'),
    path.join(workspace, '..', 'node_modules', '.package-lock.json'),
  ].filter((file) => existsSync(file));
  const inputs = [...Object.keys(meta.inputs ?? {}), ...extra];
  if (outputs.length === 0) return false;
  return (
    outputs.every((file) => existsSync(path.resolve(workspace, file))) &&
    inputs.every((file) => {
      const absolute = path.resolve(workspace, file);
      return existsSync(absolute) && statSync(absolute).mtimeMs <= builtAt;
    })
  );
}

/**
 * Builds the bundle into `outDir` (default dist/public/playground). With `ifStale`, does nothing
 * when the last build is still current (what the tests use, so a run does not rebuild for
 * nothing). Resolves to `{ outDir, built }`.
 * @param {{ outDir?: string, ifStale?: boolean }} [options]
 */
async function buildPlayground(options = {}) {
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  if (options.ifStale && isFresh(outDir)) return { outDir, built: false };
  // Required here, not at the top: production installs (no devDependencies) never get this far.
  const esbuild = require('esbuild');
  mkdirSync(outDir, { recursive: true });
  const result = await esbuild.build({
    entryPoints: {
      playground: path.join(workspace, 'src', 'playground', 'browser', 'playground.browser.tsx'),
      ...workerEntries(),
    },
    outdir: outDir,
    absWorkingDir: workspace,
    bundle: true,
    minify: true,
    sourcemap: true,
    // Classic scripts: Monaco's workers are started with `new Worker(url)`, and the page script
    // reads its own tag (document.currentScript), which module scripts do not have.
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    jsx: 'automatic',
    // Monaco's codicon font, should a stylesheet reference it as a file.
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
    assetNames: 'assets/[name]-[hash]',
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  writeFileSync(path.join(outDir, METAFILE), JSON.stringify(result.metafile));
  return { outDir, built: true };
}

module.exports = { buildPlayground, DEFAULT_OUT_DIR };

if (require.main === module) {
  // The playground is served in development only: a production build does not need it (and a
  // production install has no GraphiQL to build it from).
  if (process.env.NODE_ENV === 'production' && !process.argv.includes('--force')) {
    process.stdout.write('NODE_ENV=production: the development playground is not built\n');
  } else {
    buildPlayground({ ifStale: process.argv.includes('--if-stale') }).then(
      ({ outDir, built }) =>
        process.stdout.write(
          built
            ? `playground bundle written to ${path.relative(process.cwd(), outDir)}\n`
            : `playground bundle in ${path.relative(process.cwd(), outDir)} is up to date\n`,
        ),
      (error) => {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      },
    );
  }
}

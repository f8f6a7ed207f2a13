// Bundles the browser script (src/client/main.tsx) and the stylesheet (src/client/styles.css)
// into dist/public with content-hashed names, copies the icon the same way, and writes
// dist/public/manifest.json (source name → hashed name) for the pages' <script> and <link>.
// Used by `npm run build` and by the tests' global setup.
//
// The script is written against React's API and rendered on the server by react-dom; in the
// browser it runs on preact/compat, which hydrates the same markup at a tenth of react-dom's
// size (react-dom's client alone is about 69 KB gzipped, over the page's whole 60 KB budget).
// Source maps are written to dist/sourcemaps, outside the served folder: never public.
const { createHash } = require('node:crypto');
const {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const workspace = path.resolve(__dirname, '..');
const clientDir = path.join(workspace, 'src', 'client');

/** esbuild's [hash] alphabet and length, so one pattern recognises every hashed name. */
function contentHash(bytes) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const digest = createHash('sha256').update(bytes).digest();
  let out = '';
  for (let i = 0; i < 8; i += 1) out += alphabet[digest[i] % 32];
  return out;
}

/** The manifest a previous build left in `outDir`, or an empty one. */
function readManifest(outDir) {
  try {
    return JSON.parse(readFileSync(path.join(outDir, 'manifest.json'), 'utf8'));
  } catch {
    return {};
  }
}

/** @param {{ outDir?: string }} [options] */
async function buildClient(options = {}) {
  const outDir = options.outDir ?? path.join(workspace, 'dist', 'public');
  const mapDir = path.join(path.dirname(outDir), 'sourcemaps');
  // The previous build's files stay (a server started before this build still links them);
  // older ones are removed at the end, so hashed files do not pile up build after build.
  const previous = readManifest(outDir);
  mkdirSync(outDir, { recursive: true });
  mkdirSync(mapDir, { recursive: true });
  const result = await esbuild.build({
    entryPoints: {
      client: path.join(clientDir, 'main.tsx'),
      styles: path.join(clientDir, 'styles.css'),
    },
    // Paths in the metafile are relative to this folder, wherever the build is started from.
    absWorkingDir: workspace,
    outdir: outDir,
    entryNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    sourcemap: 'external',
    metafile: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020', 'chrome100', 'safari15', 'firefox100'],
    jsx: 'automatic',
    alias: {
      react: 'preact/compat',
      'react-dom': 'preact/compat',
      'react-dom/client': 'preact/compat/client',
      'react/jsx-runtime': 'preact/jsx-runtime',
    },
    define: { 'process.env.NODE_ENV': '"production"', __DEV__: 'false' },
    logLevel: 'warning',
  });

  const manifest = {};
  for (const [output, meta] of Object.entries(result.metafile.outputs)) {
    const file = path.resolve(workspace, output);
    if (file.endsWith('.map')) {
      renameSync(file, path.join(mapDir, path.basename(file)));
      continue;
    }
    const source = meta.entryPoint ? path.basename(meta.entryPoint) : path.basename(file);
    manifest[source === 'main.tsx' ? 'client.js' : source] = path.basename(file);
  }
  const icon = readFileSync(path.join(clientDir, 'favicon.svg'));
  const iconName = `favicon-${contentHash(icon)}.svg`;
  writeFileSync(path.join(outDir, iconName), icon);
  manifest['favicon.svg'] = iconName;
  writeFileSync(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const keep = new Set(['manifest.json', ...Object.values(previous), ...Object.values(manifest)]);
  for (const name of readdirSync(outDir)) {
    if (!keep.has(name)) rmSync(path.join(outDir, name), { recursive: true, force: true });
  }
  for (const name of readdirSync(mapDir)) {
    if (!keep.has(name.replace(/\.map$/, ''))) rmSync(path.join(mapDir, name), { force: true });
  }
  return outDir;
}

module.exports = { buildClient };

if (require.main === module) {
  buildClient().then(
    (outDir) =>
      process.stdout.write(`browser bundle written to ${path.relative(process.cwd(), outDir)}\n`),
    (error) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}

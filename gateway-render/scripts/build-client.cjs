// Bundles the browser script (src/client/main.tsx) into dist/public/client.js with esbuild and
// copies the stylesheet beside it. Used by `npm run build` and by the tests' global setup.
const { copyFileSync, mkdirSync } = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const workspace = path.resolve(__dirname, '..');

/** @param {{ outDir?: string }} [options] */
async function buildClient(options = {}) {
  const outDir = options.outDir ?? path.join(workspace, 'dist', 'public');
  mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(workspace, 'src', 'client', 'main.tsx')],
    outfile: path.join(outDir, 'client.js'),
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"', __DEV__: 'false' },
    logLevel: 'warning',
  });
  copyFileSync(
    path.join(workspace, 'src', 'client', 'styles.css'),
    path.join(outDir, 'styles.css'),
  );
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

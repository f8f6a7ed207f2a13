import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package name, a workspace file, or node itself. */
function origin(url: string): string {
  if (!url) return '(native/idle)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return 'node';
  const workspace = /\/(embedded-mongo|graphql-api|gateway-render|bench)\/dist\/(.*)$/.exec(url);
  return workspace ? `${workspace[1]}/${workspace[2]}` : path.basename(url);
}

/**
 * Summarises a `.cpuprofile` (from BENCH_PROFILE=1): self time by package/file and the hottest
 * functions. Usage: `node bench/dist/src/profile-summary.js <file.cpuprofile> [top]`.
 */
export function summarise(file: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfTime = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  const total = [...selfTime.values()].reduce((a, b) => a + b, 0);
  const byOrigin = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, micros] of selfTime) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = origin(url);
    byOrigin.set(where, (byOrigin.get(where) ?? 0) + micros);
    const name = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  }
  const table = (entries: Map<string, number>): string[] =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => `${((micros / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  return [
    `${path.basename(file)}: ${(total / 1e6).toFixed(1)} s sampled`,
    'self time by origin:',
    ...table(byOrigin),
    'hottest functions (self time):',
    ...table(byFunction),
  ].join('\n');
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/dist/src/profile-summary.js <file.cpuprofile> [top]');
    process.exitCode = 1;
  } else {
    console.log(summarise(file, top ? Number(top) : 25));
  }
}

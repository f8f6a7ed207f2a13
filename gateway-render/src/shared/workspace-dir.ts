import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The gateway-render folder, whether this code runs from src/ (tests) or dist/src/ (built):
 * the nearest folder above with a package.json.
 */
export function workspaceDir(from = __dirname): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(from, '..');
    dir = parent;
  }
  return dir;
}

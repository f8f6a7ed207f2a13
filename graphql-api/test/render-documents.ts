import { readFileSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot } from '../src/config';
import { MAX_MOVIES_OFFSET } from '../src/movies';

/** One operation the render server sends, exactly as its persisted-documents manifest holds it. */
export interface RenderDocument {
  name: string;
  query: string;
  /**
   * The largest variables it sends: `first: 100` (the largest page) and `offset` at its maximum
   * (a skip costs one more command), others unset.
   */
  variables: Record<string, unknown>;
}

/** Every document of `gateway-render/src/__generated__/persisted-documents.json`. */
export function renderDocuments(): RenderDocument[] {
  const file = path.join(
    findRepoRoot(),
    'gateway-render',
    'src',
    '__generated__',
    'persisted-documents.json',
  );
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  return Object.values(manifest).map((query) => ({
    name: /\b(?:query|mutation) (\w+)/.exec(query)?.[1] ?? 'anonymous',
    query,
    variables: {
      ...(/\$first\b/.test(query) ? { first: 100 } : {}),
      ...(/\$offset\b/.test(query) ? { offset: MAX_MOVIES_OFFSET } : {}),
    },
  }));
}

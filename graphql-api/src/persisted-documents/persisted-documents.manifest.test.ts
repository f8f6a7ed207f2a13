import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from '../logger';
import {
  loadPersistedDocumentManifest,
  parsePersistedDocumentManifest,
  PersistedDocumentsError,
} from './persisted-documents.manifest';

const DOCUMENT = 'query MovieTags { movieTags }';
const HASH = createHash('sha256').update(DOCUMENT).digest('hex');

function recordingLogger(): { logger: Logger; warnings: string[] } {
  const warnings: string[] = [];
  const logger = {
    warn: (message: string) => warnings.push(message),
    info: () => undefined,
  } as unknown as Logger;
  return { logger, warnings };
}

describe('parsePersistedDocumentManifest', () => {
  it('reads ids (sha256:<hex>) to documents and finds them by their hash', () => {
    const manifest = parsePersistedDocumentManifest(
      JSON.stringify({ [`sha256:${HASH}`]: DOCUMENT }),
      'test.json',
    );
    expect(manifest.size).toBe(1);
    expect(manifest.bySha256(HASH)).toBe(DOCUMENT);
    expect(manifest.bySha256(HASH.toUpperCase())).toBeUndefined();
  });

  it.each([
    ['not JSON', '{ "sha256:', /test\.json is malformed: not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['an id without its scheme', JSON.stringify({ [HASH]: DOCUMENT }), /is not a sha256:/],
    ['a document that is not text', JSON.stringify({ [`sha256:${HASH}`]: 1 }), /non-empty string/],
    [
      'a document edited by hand (its id no longer its hash)',
      JSON.stringify({ [`sha256:${HASH}`]: `${DOCUMENT} ` }),
      /is not the SHA-256 of its document/,
    ],
    [
      'a document that is not GraphQL',
      JSON.stringify({
        [`sha256:${createHash('sha256').update('query {').digest('hex')}`]: 'query {',
      }),
      /is not GraphQL/,
    ],
  ])('refuses %s, naming the file and the fix', (_what, json, problem) => {
    expect(() => parsePersistedDocumentManifest(json, 'test.json')).toThrow(
      PersistedDocumentsError,
    );
    expect(() => parsePersistedDocumentManifest(json, 'test.json')).toThrow(problem);
    expect(() => parsePersistedDocumentManifest(json, 'test.json')).toThrow(/npm run codegen/);
  });
});

describe('loadPersistedDocumentManifest', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'manifest-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the file', () => {
    const file = path.join(dir, 'persisted-documents.json');
    writeFileSync(file, JSON.stringify({ [`sha256:${HASH}`]: DOCUMENT }));
    const { logger } = recordingLogger();
    expect(loadPersistedDocumentManifest(file, { required: true, logger }).size).toBe(1);
  });

  it('refuses a missing file where it is required (production)', () => {
    const { logger } = recordingLogger();
    expect(() =>
      loadPersistedDocumentManifest(path.join(dir, 'nope.json'), { required: true, logger }),
    ).toThrow(/nope\.json is missing/);
  });

  it('otherwise runs on an empty manifest with a warning saying how to make one', () => {
    const { logger, warnings } = recordingLogger();
    const manifest = loadPersistedDocumentManifest(path.join(dir, 'nope.json'), {
      required: false,
      logger,
    });
    expect(manifest.size).toBe(0);
    expect(warnings).toEqual([expect.stringMatching(/is missing.*npm run codegen/)]);
  });

  it('refuses a malformed file in every environment', () => {
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{');
    const { logger } = recordingLogger();
    expect(() => loadPersistedDocumentManifest(file, { required: false, logger })).toThrow(
      /broken\.json is malformed/,
    );
  });
});

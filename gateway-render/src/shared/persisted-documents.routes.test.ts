import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { DocumentNode } from 'graphql';
import { Kind, parse } from 'graphql';
import request from 'supertest';
import * as generated from '../__generated__/graphql';
import { startApiProxy } from '../../test/helpers/api-proxy';
import { CookieJar } from '../../test/helpers/cookie-jar';
import {
  signUpViaApi,
  startRenderTestEnv,
  TEST_PASSWORD,
} from '../../test/helpers/render-test-env';
import type { RenderTestEnv } from '../../test/helpers/render-test-env';
import { persistedDocumentHash } from './persisted-document.link';

// Trusted documents from the render server's side: it sends every operation as the id of its
// generated document, never the document, and the API it talks to here holds the render key
// to that (`persisted-only`, as in production; see startRenderTestEnv).

const manifest = JSON.parse(
  readFileSync(path.join(__dirname, '..', '__generated__', 'persisted-documents.json'), 'utf8'),
) as Record<string, string>;

/** The operation name of a manifest document. */
function operationOf(document: string): string | undefined {
  for (const definition of parse(document).definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) return definition.name?.value;
  }
  return undefined;
}

let env: RenderTestEnv;
let proxy: Awaited<ReturnType<typeof startApiProxy>>;

beforeAll(async () => {
  env = await startRenderTestEnv();
  proxy = await startApiProxy(env.api.url);
});

afterAll(async () => {
  await proxy.close();
  await env.stop();
});

describe('the render server', () => {
  it('talks to an API that holds its key to persisted documents', async () => {
    const key = await env.api.api.services.apiKeys.findByToken(env.api.renderApiKey);
    expect(key?.documentPolicy).toBe('persisted-only');
  });

  it('sends only ids from the generated manifest: queries and mutations, anonymous and signed in', async () => {
    const { app } = env.appWith({ API_URL: proxy.url });
    const { email } = await signUpViaApi(env.api, { name: 'Id Only' });
    proxy.calls.length = 0;

    await request(app).get('/').expect(200);
    const jar = new CookieJar();
    const signIn = await request(app)
      .post('/auth/sign-in')
      .set('Accept', 'application/json')
      .auth(email, TEST_PASSWORD)
      .send({})
      .expect(200);
    jar.update(signIn.headers['set-cookie']);
    await request(app).get('/?q=e').set('Cookie', jar.header()).expect(200);
    await request(app).get('/my-list').set('Cookie', jar.header()).expect(200);
    await request(app).get('/account').set('Cookie', jar.header()).expect(200);

    const operations = proxy.calls.map((call) => call.operation);
    expect(operations).toEqual(
      expect.arrayContaining(['CatalogPublic', 'SignIn', 'Catalog', 'MyList', 'AccountPage']),
    );
    for (const call of proxy.calls) {
      const { query, documentId, extensions } = call.body as {
        query?: unknown;
        documentId?: unknown;
        extensions?: { persistedQuery?: { version?: unknown; sha256Hash?: unknown } };
      };
      expect({ operation: call.operation, query, documentId }).toEqual({
        operation: call.operation,
        query: undefined,
        documentId: undefined,
      });
      expect(extensions?.persistedQuery?.version).toBe(1);
      const document = manifest[`sha256:${String(extensions?.persistedQuery?.sha256Hash)}`];
      // The id names this very operation in the manifest the API loaded.
      expect({ operation: call.operation, manifest: document && operationOf(document) }).toEqual({
        operation: call.operation,
        manifest: call.operation,
      });
    }
  });

  it('fails the page like an API error when the API does not know an id, never sending the document', async () => {
    // Another build's API: every id this server sends is unknown there (the hash is changed on
    // the way, and the real API answers PERSISTED_QUERY_NOT_FOUND).
    const bodies: Record<string, unknown>[] = [];
    const otherBuild = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          extensions?: { persistedQuery?: { sha256Hash?: string } };
        };
        bodies.push(body);
        const persisted = body.extensions?.persistedQuery;
        if (persisted) {
          persisted.sha256Hash = createHash('sha256')
            .update(`another build: ${persisted.sha256Hash}`)
            .digest('hex');
        }
        void fetch(env.api.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': env.api.renderApiKey },
          body: JSON.stringify(body),
        }).then(async (answer) => {
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(Buffer.from(await answer.arrayBuffer()));
        });
      });
    });
    await new Promise<void>((resolve) => otherBuild.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = otherBuild.address() as AddressInfo;
      const { app } = env.appWith({ API_URL: `http://127.0.0.1:${port}/graphql` });
      const page = await request(app).get('/').expect(500);
      expect(page.text).toContain('Something went wrong on our side');
      // One call, id only: no retry with the full document.
      expect(bodies).toHaveLength(1);
      expect(bodies[0]).not.toHaveProperty('query');
    } finally {
      otherBuild.close();
      otherBuild.closeAllConnections();
    }
  });
});

describe('the generated documents', () => {
  const operations = Object.entries(generated).filter(
    (entry): entry is [string, DocumentNode] =>
      entry[0].endsWith('Document') &&
      (entry[1] as DocumentNode).definitions.some(
        (definition) => definition.kind === Kind.OPERATION_DEFINITION,
      ),
  );

  it('each carry the id of their manifest entry, and the manifest holds nothing else', () => {
    expect(operations.length).toBeGreaterThan(0);
    for (const [name, document] of operations) {
      const id = `sha256:${persistedDocumentHash(document)}`;
      expect({ name, inManifest: id in manifest }).toEqual({ name, inManifest: true });
    }
    expect(Object.keys(manifest)).toHaveLength(operations.length);
  });

  it('are the only documents the link sends: a hand-written one is refused, not sent in full', () => {
    expect(() => persistedDocumentHash(parse('query Handmade { movieTags }'))).toThrow(
      /Handmade has no persisted document id.*npm run codegen/,
    );
  });
});

import type { Response } from 'express';
import { Router } from 'express';
import { ViewerDocument } from '../../__generated__/graphql';
import type { RenderConfig } from '../../config';
import { apiClientFor, runQuery } from '../../shared/api-call';
import { ApiFailureError } from '../../shared/api-errors';
import type { DevMailMessage } from '../../shared/page-props';
import { renderPage } from '../../shared/render-page';
import type { RouteDeps } from '../../shared/route-deps';

/** Mails shown, newest first, and the longest text part shown of each (the page stays small). */
const MAX_MESSAGES = 50;
const MAX_TEXT = 20_000;

function text(value: unknown, max = 1000): string {
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/** One mail of the API's answer, reduced to what the page shows; anything malformed is dropped. */
function toMessage(value: unknown): DevMailMessage | null {
  if (typeof value !== 'object' || value === null) return null;
  const mail = value as Record<string, unknown>;
  const id = text(mail.id, 100);
  if (!id) return null;
  const receivedAt = new Date(text(mail.receivedAt, 100));
  return {
    id,
    from: text(mail.from),
    to: Array.isArray(mail.to) ? mail.to.map((address) => text(address, 254)).filter(Boolean) : [],
    subject: text(mail.subject),
    text: text(mail.text, MAX_TEXT),
    receivedAt: Number.isNaN(receivedAt.getTime()) ? '' : receivedAt.toISOString(),
  };
}

/**
 * The API's development inbox (`GET /dev/mail` on the origin of API_URL), within the request's
 * API deadline. A 404 (an API in production) is this page's 404; no answer is the 503 page.
 */
async function readInbox(config: RenderConfig, res: Response): Promise<DevMailMessage[]> {
  let answer: globalThis.Response;
  try {
    answer = await fetch(new URL('/dev/mail', config.apiUrl), {
      headers: { accept: 'application/json' },
      signal: AbortSignal.any([
        AbortSignal.timeout(config.apiTimeoutMs),
        ...(res.locals.apiDeadline ? [res.locals.apiDeadline as AbortSignal] : []),
      ]),
    });
  } catch {
    throw new ApiFailureError({ kind: 'unavailable', message: 'The API cannot be reached' });
  }
  if (answer.status === 404) {
    throw new ApiFailureError({ kind: 'not-found', message: 'No development inbox' });
  }
  const body = (await answer.json().catch(() => null)) as { messages?: unknown } | null;
  if (!answer.ok || !body || !Array.isArray(body.messages)) {
    throw new ApiFailureError({ kind: 'unavailable', message: 'The inbox did not answer' });
  }
  return body.messages
    .slice(0, MAX_MESSAGES)
    .map(toMessage)
    .filter((mail): mail is DevMailMessage => mail !== null);
}

/**
 * `/dev/mail`: the development inbox, so a newcomer can follow the verification and reset
 * links the API mails. Not registered in production (404), whatever the API would answer.
 */
export function devMailRoutes({ config }: RouteDeps): Router {
  const router = Router();
  if (config.nodeEnv === 'production') return router;
  router.get('/dev/mail', async (req, res) => {
    const client = apiClientFor(config, res);
    const [viewer, messages] = await Promise.all([
      runQuery(client, ViewerDocument, {}),
      readInbox(config, res),
    ]);
    await renderPage(req, res, {
      page: { name: 'dev-mail', variables: {}, messages },
      title: 'Development inbox',
      data: viewer,
    });
  });
  return router;
}

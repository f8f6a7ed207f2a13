/** Options of {@link waitForApi}. */
export interface WaitForApiOptions {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** Pause between attempts (default 250 ms). */
  intervalMs?: number;
  /** Told once what is awaited, when the first attempt fails. */
  log?: (message: string) => void;
}

/** The API did not become ready in time; the message names the URL, the last answer and the fix. */
export class ApiNotReadyError extends Error {
  override name = 'ApiNotReadyError';
}

/** `<API origin>/ready` for the GraphQL endpoint `apiUrl`. */
export function readyUrlOf(apiUrl: string): string {
  return new URL('/ready', apiUrl).href;
}

/**
 * Resolves once `GET readyUrl` answers 200 (the API listens and reaches its database), so the
 * render server never listens in front of an API that would make it answer 503. Polls every
 * `intervalMs`; rejects with an {@link ApiNotReadyError} after `timeoutMs`.
 */
export async function waitForApi(readyUrl: string, options: WaitForApiOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 250;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  let told = false;
  for (;;) {
    try {
      const remaining = Math.max(1, deadline - Date.now());
      const response = await fetch(readyUrl, {
        signal: AbortSignal.timeout(Math.min(2_000, remaining)),
      });
      await response.body?.cancel();
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      last = cause?.code ?? (error instanceof Error ? error.message : String(error));
    }
    if (!told) {
      told = true;
      options.log?.(
        `waiting for the API: GET ${readyUrl} (${last}), for up to ${timeoutMs / 1000} s`,
      );
    }
    if (Date.now() + intervalMs >= deadline) {
      throw new ApiNotReadyError(
        `the API at ${readyUrl} was not ready within ${timeoutMs / 1000} s (last: ${last}). ` +
          'Start it (`npm start` at the repository root starts both) or point API_URL at it.',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

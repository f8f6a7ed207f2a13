/** The JSON error body every route answers a script with. */
export interface RouteErrorBody {
  error?: {
    code?: string;
    message?: string;
    retryAfter?: number;
    fields?: Record<string, string[]>;
    redirect?: string;
  };
}

/** POSTs JSON to a route of this site, asking for a JSON answer (browser side only). */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: RouteErrorBody & Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { accept: 'application/json', 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const parsed = (await response.json().catch(() => ({}))) as RouteErrorBody &
    Record<string, unknown>;
  return { status: response.status, body: parsed };
}

/** HTTP Basic credentials, UTF-8 encoded (btoa alone breaks on non-Latin-1 passwords). */
export function basicAuthorization(email: string, password: string): string {
  const bytes = new TextEncoder().encode(`${email}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

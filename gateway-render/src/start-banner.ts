/** A seeded account as the API reports it; `password` null when it no longer signs in. */
interface StartAccount {
  email: string;
  password: string | null;
}

/** What the API serves at `GET /dev/start-info` in development (graphql-api/src/start-info.ts). */
export interface ApiStartInfo {
  playgroundUrl: string;
  demoUser: StartAccount | null;
  adminUser: StartAccount | null;
  devInbox: boolean;
}

/**
 * The API's start-up facts, or null when it does not serve them (not in development, or an
 * API of another version): the banner then shows only what the render server knows itself.
 */
export async function fetchApiStartInfo(apiUrl: string): Promise<ApiStartInfo | null> {
  try {
    const response = await fetch(new URL('/dev/start-info', apiUrl), {
      signal: AbortSignal.timeout(2_000),
    });
    if (!response.ok) return null;
    return (await response.json()) as ApiStartInfo;
  } catch {
    return null;
  }
}

function accountLine(label: string, account: StartAccount): string {
  return account.password === null
    ? `${label} ${account.email} (its password changed since the seed)`
    : `${label} ${account.email} / ${account.password}`;
}

/**
 * The newcomer's banner, printed once the render server listens (so both servers are up):
 * the address to open first, then what the API reported.
 */
export function formatStartBanner(publicOrigin: string, info: ApiStartInfo | null): string {
  const lines = [`Open ${publicOrigin}`, ''];
  if (info) {
    lines.push(`  GraphQL playground: ${info.playgroundUrl}`);
    if (info.demoUser) lines.push(accountLine('  demo user: ', info.demoUser));
    if (info.adminUser) lines.push(accountLine('  admin user:', info.adminUser));
    if (info.devInbox)
      lines.push(`  dev inbox:  ${publicOrigin}/dev/mail (every mail the API sends)`);
  }
  const width = Math.max(...lines.map((line) => line.length)) + 4;
  const rule = '='.repeat(width);
  return ['', rule, ...lines.map((line) => `  ${line}`), rule, ''].join('\n');
}

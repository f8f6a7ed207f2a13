import mongoose from 'mongoose';
import type { mongo } from 'mongoose';
import type { BenchEnv } from '../bench-env';
import { postGraphql, signIn } from '../bench-env';
import type { Figure } from '../figure';
import { graphqlBody, USER_MOVIES_PAGE_QUERY, USER_MOVIES_QUERY } from '../queries';

/** The commands one request sent, as `command collection` → count. */
type CommandCounts = Record<string, number>;

async function countCommands(
  work: () => Promise<unknown>,
): Promise<{ total: number; byCommand: CommandCounts }> {
  const client = mongoose.connection.getClient();
  const byCommand: CommandCounts = {};
  let total = 0;
  const listener = (event: mongo.CommandStartedEvent): void => {
    const command = event.command as Record<string, unknown>;
    const target = command[event.commandName];
    const key = `${event.commandName} ${typeof target === 'string' ? target : ''}`.trim();
    byCommand[key] = (byCommand[key] ?? 0) + 1;
    total += 1;
  };
  client.on('commandStarted', listener);
  try {
    await work();
  } finally {
    client.off('commandStarted', listener);
  }
  return { total, byCommand };
}

/**
 * P4: database round trips for `userMovies(first: 50)` and `userMovies(first: 5)`, counted with
 * the driver's command monitoring on the in-process API (same code as the API process), as a
 * signed-in user with a 50-entry list. Every command the request causes is counted, the
 * credential checks included; the API key cache is warmed first, as in steady state.
 */
export async function roundTripFigure(env: BenchEnv): Promise<Figure> {
  const url = env.local.url;
  const user = env.users[0];
  if (!user) throw new Error('P4: no seeded user');
  const token = await signIn(url, env, user.email);
  const query = (first: number) =>
    postGraphql(url, env.publicApiKey, graphqlBody(USER_MOVIES_QUERY, { first }), token);
  await query(50);
  const fifty = await countCommands(() => query(50));
  const five = await countCommands(() => query(5));
  const withTotal = await countCommands(() =>
    postGraphql(url, env.publicApiKey, graphqlBody(USER_MOVIES_PAGE_QUERY, { first: 50 }), token),
  );
  const body = JSON.parse(await query(50)) as { data: { userMovies: { edges: unknown[] } } };
  const met = fifty.total === 2 && five.total === 2;
  const sessionChecks = (counts: CommandCounts) =>
    Object.entries(counts)
      .filter(([key]) => key.endsWith('sessions'))
      .reduce((sum, [, n]) => sum + n, 0);
  const withoutCredentials = fifty.total - sessionChecks(fifty.byCommand);
  return {
    id: 'P4',
    title: 'database round trips for userMovies(first: 50) and userMovies(first: 5)',
    measured: { label: '50 entries', value: fifty.total, unit: 'round trips' },
    baseline: { label: '5 entries', value: five.total, unit: 'round trips' },
    ratio: fifty.total / five.total,
    goal: { op: '==', value: 2, text: '2, same for 5 and 50' },
    met,
    shortfall: met
      ? ''
      : `${fifty.total} round trips for 50 entries and ${five.total} for 5 (goal 2 each)` +
        (fifty.total === five.total ? '; the count does not grow with the page' : ''),
    details: {
      fifty: fifty.byCommand,
      five: five.byCommand,
      entriesReturned: body.data.userMovies.edges.length,
      roundTripsExcludingSessionCheck: withoutCredentials,
      myListPageQueryWithTotalCount: withTotal.byCommand,
    },
    analysis:
      'Counted per request: the list (find on usermovies), the movies of the page in one ' +
      "batched find (DataLoader) and the access token's session check (find on sessions). " +
      'Without the session check it is 2 for 5 and for 50 entries: no per-entry queries. The ' +
      'session check is what makes a signed-out token stop working at once (issue 3); it can ' +
      "only go by caching it per process, so revocation would lag by that cache's lifetime " +
      "across processes. The render server's My list page also selects totalCount, one more " +
      'aggregate (see details).',
  };
}

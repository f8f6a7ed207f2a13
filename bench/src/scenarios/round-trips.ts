import mongoose from 'mongoose';
import type { mongo } from 'mongoose';
import type { BenchEnv } from '../bench-env';
import { postGraphql, signIn } from '../bench-env';
import type { Figure } from '../figure';
import { graphqlBody, USER_MOVIES_PAGE_QUERY, USER_MOVIES_QUERY } from '../queries';

/** The commands one request sent, as `command collection` → count. */
export type CommandCounts = Record<string, number>;

/** Counts the database commands `work` causes through the process's mongoose connection. */
export async function countCommands(
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
  const withTotalCount = Object.values(withTotal.byCommand).reduce((sum, n) => sum + n, 0);
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
    analysis: roundTripAnalysis(fifty, five, withTotal.byCommand, withTotalCount),
  };
}

/** What each command the requests send is for (what the API's code does; see its README). */
const COMMAND_PURPOSE: Record<string, string> = {
  'find sessions': "the access token's session check",
  'aggregate usermovies':
    'the page of the list joined with its movies ($lookup), plus totalCount ($facet) when selected',
  'find usermovies': 'the page of the list',
  'find movies': "the page's movies in one batched find (DataLoader)",
  'aggregate movies': 'a movies aggregate',
  'countDocuments usermovies': "the list's totalCount",
};

function describeCommands(counts: CommandCounts): string {
  return Object.entries(counts)
    .map(([key, n]) => `${n} × ${key} (${COMMAND_PURPOSE[key] ?? 'not expected by this analysis'})`)
    .join(', ');
}

/** P4's analysis, built from the counted commands so it cannot go stale. */
function roundTripAnalysis(
  fifty: { total: number; byCommand: CommandCounts },
  five: { total: number; byCommand: CommandCounts },
  withTotal: CommandCounts,
  withTotalCount: number,
): string {
  const same = JSON.stringify(fifty.byCommand) === JSON.stringify(five.byCommand);
  const parts = [
    `Measured for 50 entries: ${fifty.total} round trips: ${describeCommands(fifty.byCommand)}.`,
    same
      ? `5 entries send exactly the same commands: the count does not grow with the page (no per-entry queries).`
      : `5 entries send ${five.total}: ${describeCommands(five.byCommand)}.`,
    `With totalCount selected, as the render server's My list page asks: ${withTotalCount} ` +
      `(${describeCommands(withTotal)}).`,
  ];
  if ('find sessions' in fifty.byCommand) {
    parts.push(
      'The session check runs on every signed-in request so that signing out takes effect at ' +
        'once (issue 3).',
    );
  }
  return parts.join(' ');
}

import { errorCode, execute, startApi } from '../../test/execute-operation';
import {
  ageLastSignIn,
  ok,
  passwordSignIn,
  sessionIdOf,
  tokenWorks,
} from '../../test/factor-flows';
import type { AuthData } from '../../test/factor-flows';
import { createSignedInUser } from '../../test/factories';
import type { TestApi } from '../testing';

/**
 * Issue 14 review: "revoking all sessions" needs a sign-in of the last 5 minutes
 * (revokeOtherSessions), so that a stolen session (a copied cookie, an unlocked device) cannot
 * throw the owner out. revokeSession(id) did the same one session at a time, aliased in one
 * request, without any step-up (found in review); now another session than one's own needs it.
 */

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.stop());

const REVOKE_OTHERS = `mutation { revokeOtherSessions }`;

describe('signing the other devices out needs a recent sign-in', () => {
  it('a stale session cannot end the owner’s other sessions with aliased revokeSession(id)', async () => {
    const { user, token: stolen } = await createSignedInUser(api);
    const owner1 = (ok(await passwordSignIn(api, user)).signIn as AuthData).accessToken;
    const owner2 = (ok(await passwordSignIn(api, user)).signIn as AuthData).accessToken;
    await ageLastSignIn(stolen);

    // The guarded way is refused...
    expect(errorCode(await execute(api, REVOKE_OTHERS, {}, { token: stolen }))).toBe(
      'REAUTHENTICATION_REQUIRED',
    );
    // ...the per-session way, with the ids the `sessions` query lists, is not.
    const aliased = await execute(
      api,
      `mutation Kick($a: ID!, $b: ID!) { a: revokeSession(id: $a) b: revokeSession(id: $b) }`,
      { a: sessionIdOf(owner1), b: sessionIdOf(owner2) },
      { token: stolen },
    );
    expect(aliased.errors?.[0]?.extensions?.code).toBe('REAUTHENTICATION_REQUIRED');
    expect(await tokenWorks(api, owner1)).toBe(true);
    expect(await tokenWorks(api, owner2)).toBe(true);
  });

  it('ending one’s own session (signing out) stays free', async () => {
    const { token } = await createSignedInUser(api);
    await ageLastSignIn(token);
    const result = await execute<{ revokeSession: boolean }>(
      api,
      `mutation Own($id: ID!) { revokeSession(id: $id) }`,
      { id: sessionIdOf(token) },
      { token },
    );
    expect(result.data?.revokeSession).toBe(true);
  });
});

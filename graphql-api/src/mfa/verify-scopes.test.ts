import { decodeJwt } from 'jose';
import { execute, startApi } from '../../test/execute-operation';
import { enrolTotp, ok, OPS } from '../../test/factor-flows';
import type { AuthData, SignInResultData } from '../../test/factor-flows';
import { createSignedInUser } from '../../test/factories';
import { totpCode, withTimeLeftInStep } from '../../test/totp-codes';
import type { TestApi } from '../testing';
import { TotpFactorModel } from './index';

/**
 * A check that held (issue 14 review): finishing a sign-in's second step through another API
 * key gives the session only the scopes both keys have (no escalation either way).
 */

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.stop());

async function scopesOf(apiKey: string): Promise<string[]> {
  const key = await api.api.services.apiKeys.findByToken(apiKey);
  return [...(key?.scopes ?? [])];
}

describe('verifySecondFactor through another key', () => {
  it('the session gets the scopes both keys have, whichever started the sign-in', async () => {
    const { user, token } = await createSignedInUser(api, { isAdmin: true });
    const { secret } = await enrolTotp(api, token);
    const publicScopes = await scopesOf(api.publicApiKey);
    const adminScopes = await scopesOf(api.adminApiKey);
    expect(adminScopes.some((scope) => !publicScopes.includes(scope))).toBe(true);

    for (const [first, second] of [
      [api.publicApiKey, api.adminApiKey],
      [api.adminApiKey, api.publicApiKey],
    ] as const) {
      await withTimeLeftInStep();
      await TotpFactorModel.updateOne({ user: user._id }, { $set: { lastUsedStep: 0 } });
      const started = ok(
        await execute<{ signIn: SignInResultData }>(
          api,
          OPS.signIn,
          { input: { email: user.email, password: user.password } },
          { apiKey: first, ip: '10.77.0.1' },
        ),
      ).signIn;
      if (started.__typename !== 'MfaRequired') throw new Error('expected MfaRequired');
      const finished = await execute<{ verifySecondFactor: AuthData }>(
        api,
        OPS.verifySecondFactor,
        { input: { challengeId: started.challengeId, code: totpCode(secret) } },
        { apiKey: second, ip: '10.77.0.2' },
      );
      const scopes = decodeJwt(ok(finished).verifySecondFactor.accessToken).scopes as string[];
      // Never a scope the public key lacks (the admin key's extra scopes stay out).
      expect(scopes.filter((scope) => !publicScopes.includes(scope))).toEqual([]);
      expect(scopes.length).toBeGreaterThan(0);
    }
  });
});

import { testMongoUri } from '../../test/execute-operation';
import { ApiKeyModel } from '../api-keys';
import { createServices } from '../services';
import { loadConfig } from '../config';
import { connectDatabase, disconnectDatabase } from '../database';
import { MovieModel } from '../movies';
import { testEnv, uniqueDbName } from '../testing';
import { UserModel } from '../users';
import { DEMO_USER, seedDatabase } from './seed';
import { SAMPLE_MOVIES } from './sample-movies';

beforeAll(() => connectDatabase(testMongoUri(), { dbName: uniqueDbName('seed') }));
afterAll(() => disconnectDatabase());

describe('seedDatabase', () => {
  it('is idempotent: keys for the configured tokens, the admin, sample movies and the demo user once', async () => {
    const config = loadConfig(
      testEnv(testMongoUri(), {
        ADMIN_EMAIL: 'Boss@Example.com',
        ADMIN_PASSWORD: 'boss password here',
      }),
    );
    const services = createServices(config);
    const first = await seedDatabase(config, services, { demoUser: true });
    expect(first).toMatchObject({
      ensuredKeys: ['public', 'admin', 'render'],
      newKeyTokens: [],
      adminCreated: true,
      moviesInserted: SAMPLE_MOVIES.length,
      demoUserCreated: true,
    });
    // A demo user made before addresses were verified is verified by the next seed.
    await UserModel.updateOne({ email: DEMO_USER.email }, { $unset: { emailVerified: 1 } });
    const second = await seedDatabase(config, services, { demoUser: true });
    expect(second).toMatchObject({
      adminCreated: false,
      moviesInserted: 0,
      demoUserCreated: false,
    });
    expect(await MovieModel.countDocuments()).toBe(SAMPLE_MOVIES.length);
    expect(await ApiKeyModel.countDocuments()).toBe(3);
    // Accounts the operator made count as verified.
    expect(await UserModel.findOne({ email: 'boss@example.com' }).lean()).toMatchObject({
      isAdmin: true,
      emailVerified: true,
    });
    expect(await UserModel.findOne({ email: DEMO_USER.email }).lean()).toMatchObject({
      emailVerified: true,
    });
    const publicKey = await services.apiKeys.findByToken(config.publicApiKeyToken ?? '');
    expect(publicKey?.scopes).not.toContain('create:movies');
    expect(publicKey?.forwardsClientIp).toBe(false);
    // The render server's key: the public scopes, and the only one that forwards addresses.
    const renderKey = await services.apiKeys.findByToken(config.renderApiKeyToken ?? '');
    expect(renderKey).toMatchObject({ scopes: publicKey?.scopes, forwardsClientIp: true });
    const adminKey = await services.apiKeys.findByToken(config.adminApiKeyToken ?? '');
    expect(adminKey?.scopes).toContain('delete:movies');
    // The demo user can sign in with the printed password.
    const auth = await services.auth.signIn(
      { email: DEMO_USER.email, password: DEMO_USER.password, rememberMe: false },
      { ip: '127.0.0.1', userAgent: null, keyScopes: publicKey?.scopes ?? [] },
    );
    expect('user' in auth && auth.user.email).toBe(DEMO_USER.email);
  });

  it('generates key tokens once when none are configured', async () => {
    await ApiKeyModel.deleteMany({});
    const config = {
      ...loadConfig(testEnv(testMongoUri())),
      publicApiKeyToken: undefined,
      adminApiKeyToken: undefined,
      renderApiKeyToken: undefined,
    };
    const services = createServices(config);
    const first = await seedDatabase(config, services, { movies: false, demoUser: false });
    expect(first.newKeyTokens.map((key) => key.name)).toEqual(['public', 'admin', 'render']);
    for (const { name, token } of first.newKeyTokens) {
      expect((await services.apiKeys.findByToken(token))?.forwardsClientIp).toBe(name === 'render');
    }
    const second = await seedDatabase(config, services, { movies: false, demoUser: false });
    expect(second.newKeyTokens).toEqual([]);
    expect(await ApiKeyModel.countDocuments()).toBe(3);
  });
});

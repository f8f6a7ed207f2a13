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
      testEnv(testMongoUri(), { ADMIN_EMAIL: 'Boss@Example.com', ADMIN_PASSWORD: 'boss password' }),
    );
    const services = createServices(config);
    const first = await seedDatabase(config, services, { demoUser: true });
    expect(first).toMatchObject({
      ensuredKeys: ['public', 'admin'],
      newKeyTokens: [],
      adminCreated: true,
      moviesInserted: SAMPLE_MOVIES.length,
      demoUserCreated: true,
    });
    const second = await seedDatabase(config, services, { demoUser: true });
    expect(second).toMatchObject({
      adminCreated: false,
      moviesInserted: 0,
      demoUserCreated: false,
    });
    expect(await MovieModel.countDocuments()).toBe(SAMPLE_MOVIES.length);
    expect(await ApiKeyModel.countDocuments()).toBe(2);
    expect(await UserModel.findOne({ email: 'boss@example.com' }).lean()).toMatchObject({
      isAdmin: true,
    });
    expect(await UserModel.countDocuments({ email: DEMO_USER.email })).toBe(1);
    const publicKey = await services.apiKeys.findByToken(config.publicApiKeyToken ?? '');
    expect(publicKey?.scopes).not.toContain('create:movies');
    const adminKey = await services.apiKeys.findByToken(config.adminApiKeyToken ?? '');
    expect(adminKey?.scopes).toContain('delete:movies');
    // The demo user can sign in with the printed password.
    const auth = await services.auth.signIn(
      { email: DEMO_USER.email, password: DEMO_USER.password, rememberMe: false },
      { ip: '127.0.0.1', userAgent: null, keyScopes: publicKey?.scopes ?? [] },
    );
    expect(auth.user.email).toBe(DEMO_USER.email);
  });

  it('generates key tokens once when none are configured', async () => {
    await ApiKeyModel.deleteMany({});
    const config = {
      ...loadConfig(testEnv(testMongoUri())),
      publicApiKeyToken: undefined,
      adminApiKeyToken: undefined,
    };
    const services = createServices(config);
    const first = await seedDatabase(config, services, { movies: false, demoUser: false });
    expect(first.newKeyTokens.map((key) => key.name)).toEqual(['public', 'admin']);
    for (const { token } of first.newKeyTokens) {
      expect(await services.apiKeys.findByToken(token)).not.toBeNull();
    }
    const second = await seedDatabase(config, services, { movies: false, demoUser: false });
    expect(second.newKeyTokens).toEqual([]);
    expect(await ApiKeyModel.countDocuments()).toBe(2);
  });
});

import { Types } from 'mongoose';
import { testMongoUri } from '../../test/execute-operation';
import { connectDatabase, disconnectDatabase } from '../database';
import { uniqueDbName } from '../testing';
import { RefreshTokenCodec } from './refresh-token.codec';
import { SessionModel } from './session.model';
import { SessionService } from './session.service';

beforeAll(() => connectDatabase(testMongoUri(), { dbName: uniqueDbName('sessions') }));
afterAll(() => disconnectDatabase());

describe('Session model', () => {
  it('lets MongoDB delete a session when it expires (TTL index on expiresAt)', async () => {
    await SessionModel.createCollection();
    const indexes = await SessionModel.collection.indexes();
    expect(indexes).toContainEqual(
      expect.objectContaining({ key: { expiresAt: 1 }, expireAfterSeconds: 0 }),
    );
  });

  it('stores a refresh counter and no token: a stray token field is not kept', async () => {
    const stored = await SessionModel.create({
      user: new Types.ObjectId(),
      rememberMe: false,
      expiresAt: new Date(Date.now() + 60_000),
      userAgent: 'jest',
      // What an old writer might still send: strict schemas drop it.
      ...({ refreshTokenHash: 'raw-refresh-token' } as object),
    });
    expect(stored).toMatchObject({ revokedAt: null, refreshCounter: 0, counterAdvancedAt: null });
    expect(stored.createdAt).toBeInstanceOf(Date);
    const raw = await SessionModel.collection.findOne({ _id: stored._id });
    expect(raw).not.toHaveProperty('refreshTokenHash');
    await expect(
      new SessionModel({ ...stored.toObject(), refreshCounter: -1 }).validate(),
    ).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });

  it('drops the refresh-token-hash index of earlier versions, so a database from before keeps working', async () => {
    await SessionModel.collection.createIndex({ refreshTokenHash: 1 }, { unique: true });
    const service = new SessionService(new RefreshTokenCodec('s'.repeat(40)), 10_000);
    await service.dropObsoleteIndexes();
    await service.dropObsoleteIndexes();
    const names = (await SessionModel.collection.indexes()).map((index) => index.name);
    expect(names).not.toContain('refreshTokenHash_1');
    const user = new Types.ObjectId();
    const input = { userId: user, rememberMe: false, keyScopes: [] };
    await service.create(input);
    await expect(service.create(input)).resolves.toMatchObject({
      refreshToken: expect.any(String),
    });
  });
});

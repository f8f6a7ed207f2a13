import mongoose from 'mongoose';
import { testMongoUri } from '../test/execute-operation';
import { connectDatabase, disconnectDatabase, pingDatabase } from './database';
import { MovieModel } from './movies';
import { uniqueDbName } from './testing';
import { UserModel } from './users';

beforeAll(() => connectDatabase(testMongoUri(), { dbName: uniqueDbName('db') }));
afterAll(() => disconnectDatabase());

describe('database', () => {
  it('never runs operator objects smuggled into filter values (sanitizeFilter)', async () => {
    await UserModel.create({ name: 'Target', email: 'target@example.com', hasPassword: false });
    // Wrapped in $eq, the object is a value to compare, and no e-mail casts from an object.
    const injected = { email: { $ne: 'nobody@example.com' } } as unknown as { email: string };
    await expect(UserModel.findOne(injected).lean()).rejects.toMatchObject({ name: 'CastError' });
    // Operators the code itself builds are marked trusted and do run.
    expect(
      await UserModel.findOne({ email: mongoose.trusted({ $ne: 'x' }) }).lean(),
    ).not.toBeNull();
  });

  it('drops filter paths the schema does not know (strictQuery)', async () => {
    await MovieModel.create({
      title: 'Strict',
      year: 2000,
      cover: 'https://c.example.com/s.jpg',
      description: 'd',
      duration: 90,
      contentRating: 'G',
      source: 'https://s.example.com/s',
    });
    const unknownPath = { notAField: 'x', title: 'Strict' } as unknown as { title: string };
    expect(await MovieModel.countDocuments(unknownPath)).toBe(1);
  });

  it('answers the readiness ping', async () => {
    expect(await pingDatabase()).toBe(true);
  });
});

import { testMongoUri } from '../../test/execute-operation';
import { connectDatabase, disconnectDatabase } from '../database';
import { uniqueDbName } from '../testing';
import { AuthProvider, UserModel } from './user.model';

beforeAll(() => connectDatabase(testMongoUri(), { dbName: uniqueDbName('users') }));
afterAll(() => disconnectDatabase());

const valid = { name: 'Model User', email: 'model@example.com', hasPassword: false };

describe('User model', () => {
  it('refuses an invalid or over-long e-mail and a name outside 1–100 characters', async () => {
    const invalid = [
      { ...valid, email: 'not-an-email' },
      { ...valid, email: `${'x'.repeat(250)}@example.com` },
      { ...valid, name: '   ' },
      { ...valid, name: 'x'.repeat(101) },
    ];
    for (const fields of invalid) {
      await expect(new UserModel(fields).validate()).rejects.toMatchObject({
        name: 'ValidationError',
      });
    }
    await expect(new UserModel(valid).validate()).resolves.toBeUndefined();
  });

  it('stores the e-mail trimmed and lower-cased, unique whatever its case', async () => {
    const user = await UserModel.create({ ...valid, email: '  Case@Example.COM ' });
    expect(user.email).toBe('case@example.com');
    await expect(UserModel.create({ ...valid, email: 'CASE@example.com' })).rejects.toMatchObject({
      code: 11000,
    });
  });

  it('never selects the password hash unless asked', async () => {
    await UserModel.create({
      ...valid,
      email: 'hash@example.com',
      passwordHash: '$argon2id$x',
      hasPassword: true,
    });
    expect(await UserModel.findOne({ email: 'hash@example.com' }).lean()).not.toHaveProperty(
      'passwordHash',
    );
    expect(
      await UserModel.findOne({ email: 'hash@example.com' }).select('+passwordHash').lean(),
    ).toHaveProperty('passwordHash', '$argon2id$x');
  });

  it('allows one user per provider identity, and any number of password-only users', async () => {
    const providers = [{ provider: AuthProvider.GOOGLE, subject: 'same-subject' }];
    await UserModel.create({ ...valid, email: 'p1@example.com', providers });
    await expect(
      UserModel.create({ ...valid, email: 'p2@example.com', providers }),
    ).rejects.toMatchObject({ code: 11000 });
    await UserModel.create({
      ...valid,
      email: 'p3@example.com',
      providers: [{ provider: AuthProvider.GOOGLE, subject: 'other-subject' }],
    });
    await UserModel.create({ ...valid, email: 'np1@example.com' });
    await UserModel.create({ ...valid, email: 'np2@example.com' });
    expect(await UserModel.countDocuments({ email: /^np\d@/ })).toBe(2);
  });

  it('keeps createdAt and updatedAt', async () => {
    const user = await UserModel.create({ ...valid, email: 'time@example.com' });
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(user.updatedAt).toBeInstanceOf(Date);
  });
});

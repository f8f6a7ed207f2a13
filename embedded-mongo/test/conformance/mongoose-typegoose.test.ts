import { getModelForClass, index, modelOptions, prop } from '@typegoose/typegoose';
import type { Ref } from '@typegoose/typegoose';
import mongoose from 'mongoose';
import { serverUri, uniqueDbName } from '../helpers';

@modelOptions({ schemaOptions: { collection: 'people', timestamps: true } })
class Person {
  @prop({ required: true, unique: true })
  public email!: string;

  @prop({ required: true })
  public name!: string;

  @prop({ type: () => [String], default: [] })
  public tags!: string[];

  @prop({ default: 0 })
  public visits!: number;

  /** Set by the `timestamps` schema option. */
  public createdAt?: Date;
}

@modelOptions({ schemaOptions: { collection: 'films' } })
class Film {
  @prop({ required: true })
  public title!: string;

  @prop({ required: true })
  public year!: number;
}

@index({ person: 1, film: 1 }, { unique: true })
@modelOptions({ schemaOptions: { collection: 'favourites' } })
class Favourite {
  @prop({ ref: () => Person, required: true })
  public person!: Ref<Person>;

  @prop({ ref: () => Film, required: true })
  public film!: Ref<Film>;
}

describe('mongoose + typegoose models', () => {
  let connection: mongoose.Connection;
  let PersonModel: ReturnType<typeof getModelForClass<typeof Person>>;
  let FilmModel: ReturnType<typeof getModelForClass<typeof Film>>;
  let FavouriteModel: ReturnType<typeof getModelForClass<typeof Favourite>>;

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(serverUri(), { dbName: uniqueDbName('mongoose') })
      .asPromise();
    PersonModel = getModelForClass(Person, { existingConnection: connection });
    FilmModel = getModelForClass(Film, { existingConnection: connection });
    FavouriteModel = getModelForClass(Favourite, { existingConnection: connection });
    await Promise.all([PersonModel.init(), FilmModel.init(), FavouriteModel.init()]);
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('creates and reads documents back with their types', async () => {
    const created = await PersonModel.create({
      email: 'ada@example.com',
      name: 'Ada',
      tags: ['math'],
    });
    const found = await PersonModel.findById(created._id).lean();
    expect(found).toMatchObject({
      email: 'ada@example.com',
      name: 'Ada',
      tags: ['math'],
      visits: 0,
    });
    expect(found?._id.toHexString()).toBe(created._id.toHexString());
    expect(found?.createdAt).toBeInstanceOf(Date);
  });

  it('builds the schema indexes (syncIndexes sees nothing to change)', async () => {
    const indexes = await PersonModel.listIndexes();
    expect(indexes).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: { email: 1 }, unique: true })]),
    );
    const diff = await PersonModel.diffIndexes();
    expect(diff).toEqual({ toDrop: [], toCreate: [] });
  });

  it('raises MongoServerError 11000 with keyValue on a duplicate unique field', async () => {
    await PersonModel.create({ email: 'dup@example.com', name: 'First' });
    const error = await PersonModel.create({ email: 'dup@example.com', name: 'Second' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({
      name: 'MongoServerError',
      code: 11000,
      keyValue: { email: 'dup@example.com' },
      keyPattern: { email: 1 },
    });
    expect((error as Error).message).toMatch(
      /E11000 duplicate key error collection: \w+\.people index: email_1 dup key: \{ email: "dup@example\.com" \}/,
    );
    expect(await PersonModel.countDocuments({ email: 'dup@example.com' })).toBe(1);
  });

  it('get-or-create with findOneAndUpdate, upsert and $setOnInsert', async () => {
    const first = await PersonModel.findOneAndUpdate(
      { email: 'grace@example.com' },
      { $setOnInsert: { name: 'Grace' }, $inc: { visits: 1 } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    const second = await PersonModel.findOneAndUpdate(
      { email: 'grace@example.com' },
      { $setOnInsert: { name: 'Not Grace' }, $inc: { visits: 1 } },
      { upsert: true, returnDocument: 'after' },
    ).lean();
    expect(first).toMatchObject({ email: 'grace@example.com', name: 'Grace', visits: 1 });
    expect(second).toMatchObject({ email: 'grace@example.com', name: 'Grace', visits: 2 });
    expect(second?._id.toHexString()).toBe(first?._id.toHexString());
  });

  it('enforces a compound unique index and populates references', async () => {
    const person = await PersonModel.create({ email: 'fan@example.com', name: 'Fan' });
    const film = await FilmModel.create({ title: 'Metropolis', year: 1927 });
    await FavouriteModel.create({ person: person._id, film: film._id });
    const error = await FavouriteModel.create({ person: person._id, film: film._id }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ code: 11000, keyValue: { person: person._id, film: film._id } });
    expect((error as Error).message).toContain(
      `index: person_1_film_1 dup key: { person: ObjectId('${person._id.toHexString()}'), film: ObjectId('${film._id.toHexString()}') }`,
    );
    const favourites = await FavouriteModel.find({ person: person._id }).populate('film').lean();
    expect(favourites).toHaveLength(1);
    expect(favourites[0].film).toMatchObject({ title: 'Metropolis', year: 1927 });
  });

  it('queries with $in, regex, ranges, sort, skip and limit; counts and deletes', async () => {
    await FilmModel.insertMany([
      { title: 'Alien', year: 1979 },
      { title: 'Aliens', year: 1986 },
      { title: 'Brazil', year: 1985 },
      { title: 'Casablanca', year: 1942 },
    ]);
    const eighties = await FilmModel.find({ year: { $gte: 1980, $lt: 1990 } })
      .sort({ year: 1 })
      .lean();
    expect(eighties.map((film) => film.title)).toEqual(['Brazil', 'Aliens']);
    const aliens = await FilmModel.find({ title: /^alien/i })
      .sort({ title: -1 })
      .lean();
    expect(aliens.map((film) => film.title)).toEqual(['Aliens', 'Alien']);
    const picked = await FilmModel.find({ title: { $in: ['Brazil', 'Casablanca', 'Nope'] } })
      .sort({ year: -1 })
      .skip(1)
      .limit(1)
      .lean();
    expect(picked.map((film) => film.title)).toEqual(['Casablanca']);
    expect(await FilmModel.countDocuments({ year: { $lt: 1980 } })).toBe(3);
    expect(await FilmModel.exists({ title: 'Brazil' })).not.toBeNull();
    const deleted = await FilmModel.deleteOne({ title: 'Brazil' });
    expect(deleted.deletedCount).toBe(1);
    expect(await FilmModel.exists({ title: 'Brazil' })).toBeNull();
  });
});

import 'reflect-metadata';
import * as classValidator from 'class-validator';
import { IsInt, Max, Min } from 'class-validator';
import type { GraphQLResolveInfo } from 'graphql';
import { GraphQLError } from 'graphql';
import { validateArgument } from './validation';

class PageArgs {
  @IsInt()
  @Min(1)
  @Max(100)
  first!: number;

  tag?: string;
}

const page = (values: Partial<PageArgs>): PageArgs => Object.assign(new PageArgs(), values);

function infoFor(operation: 'query' | 'mutation'): GraphQLResolveInfo {
  return {
    fieldName: 'items',
    parentType: { getFields: () => ({ items: { args: [] } }) },
    operation: { operation },
  } as unknown as GraphQLResolveInfo;
}

const run = async (value: object, operation: 'query' | 'mutation' = 'query'): Promise<void> =>
  validateArgument(value, PageArgs, {
    info: infoFor(operation),
    root: undefined,
    context: {},
    args: {},
  });

describe('validateArgument', () => {
  let validate: jest.SpyInstance;
  beforeEach(() => {
    validate = jest.spyOn(classValidator, 'validate');
  });
  afterEach(() => validate.mockRestore());

  it("validates a query's passing value once, then remembers it", async () => {
    await run(page({ first: 20, tag: 'remember-me' }));
    await run(page({ first: 20, tag: 'remember-me' }));
    await run(page({ first: 20, tag: 'remember-me' }));
    expect(validate).toHaveBeenCalledTimes(1);
  });

  it('never remembers a failure: the same bad value fails every time, with its report', async () => {
    for (let i = 0; i < 3; i += 1) {
      const error = await run(page({ first: 1000, tag: 'bad' })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GraphQLError);
      expect((error as GraphQLError).extensions.code).toBe('BAD_USER_INPUT');
    }
    expect(validate).toHaveBeenCalledTimes(3);
  });

  it('tells values apart by every field: a remembered pass does not cover a different value', async () => {
    await run(page({ first: 30, tag: 'x' }));
    const error = await run(page({ first: 300, tag: 'x' })).catch((e: unknown) => e);
    expect((error as GraphQLError).extensions.code).toBe('BAD_USER_INPUT');
    // A value whose JSON reads like a remembered one but is not plain (a Date) is validated.
    await run(page({ first: 30, tag: 'x' }));
    const calls = validate.mock.calls.length;
    await run(Object.assign(page({ first: 30 }), { tag: new Date(0) }));
    await run(Object.assign(page({ first: 30 }), { tag: new Date(0) }));
    expect(validate.mock.calls.length).toBe(calls + 2);
  });

  it("never remembers a mutation's arguments (they carry passwords)", async () => {
    await run(page({ first: 5, tag: 'secret' }), 'mutation');
    await run(page({ first: 5, tag: 'secret' }), 'mutation');
    expect(validate).toHaveBeenCalledTimes(2);
  });
});

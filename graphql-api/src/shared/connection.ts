import { IsInt, Max, Min } from 'class-validator';
import { ArgsType, Directive, Field, Int, ObjectType } from 'type-graphql';
import type { ClassType } from 'type-graphql';
import { INHERIT_MAX_AGE } from './cache';
import { badUserInput } from './errors';

/** Page size bounds of every connection. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

// Plain properties, no middleware or auth on them: graphql-js's default resolver suffices.
@ObjectType({ simpleResolvers: true })
@Directive(INHERIT_MAX_AGE)
export class PageInfo {
  @Field(() => String, { nullable: true })
  endCursor!: string | null;

  @Field()
  hasNextPage!: boolean;

  @Field({
    description:
      'True when items come before this page: it starts after a cursor (`after`) or an offset with matches before it.',
  })
  hasPreviousPage!: boolean;
}

/** One edge of a connection: the node and the cursor to continue after it. */
export interface Edge<TNode> {
  cursor: string;
  node: TNode;
}

/** A page of a connection; `totalCount()` runs its count query only when the field is selected. */
export interface Connection<TNode> {
  edges: Edge<TNode>[];
  pageInfo: PageInfo;
  totalCount(): Promise<number>;
}

/**
 * The `<Name>Edge` and `<Name>Connection` object types of a Relay-style connection over `node`.
 * `inheritMaxAge`: the catalog's types take the cache hint of the field that returned them.
 */
export function createConnectionType<TNode extends object>(
  node: ClassType<TNode>,
  name: string,
  options: { inheritMaxAge?: boolean } = {},
): new (
  edges: Edge<TNode>[],
  pageInfo: PageInfo,
  countTotal: () => Promise<number>,
) => Connection<TNode> {
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class EdgeType implements Edge<TNode> {
    @Field()
    cursor!: string;

    @Field(() => node)
    node!: TNode;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true })
  class ConnectionType implements Connection<TNode> {
    @Field(() => [EdgeType])
    edges: Edge<TNode>[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    constructor(
      edges: Edge<TNode>[],
      pageInfo: PageInfo,
      private readonly countTotal: () => Promise<number>,
    ) {
      this.edges = edges;
      this.pageInfo = pageInfo;
    }

    @Field(() => Int)
    totalCount(): Promise<number> {
      return this.countTotal();
    }
  }

  if (options.inheritMaxAge) {
    Directive(INHERIT_MAX_AGE)(EdgeType);
    Directive(INHERIT_MAX_AGE)(ConnectionType);
  }
  return ConnectionType;
}

/** `first` and `after` of every connection field; validated like any input. */
@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE })
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first!: number;

  @Field(() => String, { nullable: true })
  after?: string | null;
}

/** Cursor values: the sort key(s) then the id, as JSON-safe values. */
export type CursorKey = readonly (string | number)[];

/** Opaque cursor: base64url of the JSON sort key + id, so clients cannot build or depend on it. */
export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The kinds of value a cursor holds. */
export type CursorPart = 'string' | 'timestamp' | 'objectId';

/** The largest distance from the epoch a JavaScript Date can represent, in milliseconds. */
const MAX_DATE_MS = 8.64e15;

function isCursorPart(part: unknown, kind: CursorPart | undefined): boolean {
  switch (kind) {
    case 'string':
      return typeof part === 'string';
    case 'timestamp':
      return Number.isSafeInteger(part) && Math.abs(part as number) <= MAX_DATE_MS;
    case 'objectId':
      return typeof part === 'string' && /^[0-9a-f]{24}$/.test(part);
    default:
      return false;
  }
}

/**
 * Decodes a cursor made by {@link encodeCursor}, checking each part against `shape`: 'string',
 * 'timestamp' (integer milliseconds a Date can hold: anything else would fail casting in the
 * query, a 500 instead of a 400) or 'objectId' (24 hex digits). Anything else is BAD_USER_INPUT
 * on the `after` argument.
 */
export function decodeCursor(cursor: string, shape: readonly CursorPart[]): (string | number)[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== shape.length ||
    parsed.some((part: unknown, index) => !isCursorPart(part, shape[index]))
  ) {
    throw badUserInput([
      {
        argument: 'after',
        field: '',
        constraints: { isCursor: 'after must be a cursor returned by this connection' },
      },
    ]);
  }
  return parsed as (string | number)[];
}

/** Splits a `first + 1` read into the page and whether more follow. */
export function slicePage<T>(rows: T[], first: number): { page: T[]; hasNextPage: boolean } {
  return { page: rows.slice(0, first), hasNextPage: rows.length > first };
}

import type { Request } from 'express';

/** The parsed form or JSON body, or an empty object. */
export function bodyOf(req: Request): Record<string, unknown> {
  return (req.body ?? {}) as Record<string, unknown>;
}

/** A string field of the body, or `''` when it is missing or not a string. */
export function bodyText(req: Request, name: string): string {
  const value = bodyOf(req)[name];
  return typeof value === 'string' ? value : '';
}

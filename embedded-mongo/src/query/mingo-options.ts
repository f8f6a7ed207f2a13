import type { Options } from 'mingo/types';

/**
 * Shared mingo settings: strict MongoDB semantics, and no server-side JavaScript
 * (`$where`, `$function`), which a database reachable over TCP must not evaluate.
 */
export const MINGO_OPTIONS: Partial<Options> = {
  idKey: '_id',
  useStrictMode: true,
  scriptEnabled: false,
};

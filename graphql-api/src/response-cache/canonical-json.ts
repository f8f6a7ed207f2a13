/**
 * JSON with every object's keys sorted, so two requests that differ only in key order (of the
 * body, of `variables`) get one cache key. Only for values `JSON.parse` made: no cycles, no
 * `undefined`, no functions.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const record = value as Record<string, unknown>;
  const fields = Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`);
  return `{${fields.join(',')}}`;
}

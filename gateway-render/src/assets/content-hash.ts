// Poster paths are computed wherever a cover is rendered: on the server and, after hydration,
// in the browser, where `node:crypto` does not exist and Web Crypto's `digest` is asynchronous
// (a render must be synchronous). The hash only names a version of a public drawing, so it
// needs to be stable and well spread, not cryptographic: 64-bit FNV-1a, a few lines.

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;

/** 64-bit FNV-1a of `text`'s UTF-8 bytes, as 16 lowercase hex digits. */
export function fnv1a64Hex(text: string): string {
  let hash = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(text)) {
    hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
  }
  return hash.toString(16).padStart(16, '0');
}

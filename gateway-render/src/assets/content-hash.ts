// Poster paths are computed wherever a cover is rendered: on the server and, after hydration,
// in the browser, where `node:crypto` does not exist and Web Crypto's `digest` is asynchronous
// (a render must be synchronous). The hash only names a version of a public drawing, so it
// needs to be stable and well spread, not cryptographic: 64-bit FNV-1a, a few lines.
//
// The 64-bit state is kept as four 16-bit limbs in plain numbers rather than one BigInt: a
// BigInt multiplication allocates for every byte, which made hashing a page's 20 covers about
// a quarter of its render. The output is the same.

const encoder = new TextEncoder();

/** Four hex digits of a 16-bit limb. */
function hex4(limb: number): string {
  return (limb | 0x10000).toString(16).slice(1);
}

/** 64-bit FNV-1a of `text`'s UTF-8 bytes, as 16 lowercase hex digits. */
export function fnv1a64Hex(text: string): string {
  // The offset basis 0xcbf29ce484222325, low limb first.
  let h0 = 0x2325;
  let h1 = 0x8422;
  let h2 = 0x9ce4;
  let h3 = 0xcbf2;
  const bytes = encoder.encode(text);
  for (let i = 0; i < bytes.length; i++) {
    h0 ^= bytes[i] ?? 0;
    // × the prime 0x100000001b3 = 2^40 + 0x1b3, modulo 2^64: each limb times 0x1b3, plus the
    // low two limbs shifted up by 40 bits (into limbs 2 and 3, 8 bits up), carries upwards.
    const t0 = h0 * 0x1b3;
    const t1 = h1 * 0x1b3 + (t0 >>> 16);
    const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16);
    const t3 = h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16);
    h0 = t0 & 0xffff;
    h1 = t1 & 0xffff;
    h2 = t2 & 0xffff;
    h3 = t3 & 0xffff;
  }
  return hex4(h3) + hex4(h2) + hex4(h1) + hex4(h0);
}

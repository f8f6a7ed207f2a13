import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** An AES-256-GCM ciphertext as stored: every part base64url. */
export interface SealedSecret {
  alg: 'A256GCM';
  iv: string;
  tag: string;
  ciphertext: string;
}

/**
 * Encrypts secrets the API must read back (signing keys' private halves, two-factor secrets) at
 * rest: AES-256-GCM under a key derived with HKDF-SHA256 from the API's token secret
 * (`JWT_SECRET`) for one use (`purpose`), bound to what it belongs to (`aad`, e.g. a key id or a
 * user id). A database dump alone therefore holds nothing usable, and a record moved to another
 * owner does not decrypt.
 */
export class SecretCipher {
  private readonly key: Buffer;

  /**
   * @param secret the API's token secret (`JWT_SECRET`).
   * @param purpose the HKDF info: each use derives its own key.
   */
  constructor(secret: string, purpose: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'movie-catalog', purpose, 32));
  }

  encrypt(plaintext: Buffer, aad: string): SealedSecret {
    // A fresh random 96-bit IV per record: few encryptions per secret, far from GCM's limits.
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      alg: 'A256GCM',
      iv: iv.toString('base64url'),
      tag: cipher.getAuthTag().toString('base64url'),
      ciphertext: ciphertext.toString('base64url'),
    };
  }

  /** The plaintext back; throws when the secret, the `aad` or any byte differs. */
  decrypt(sealed: SealedSecret, aad: string): Buffer {
    if (sealed.alg !== 'A256GCM') throw new TypeError(`Unknown encryption ${sealed.alg}`);
    // The tag length is pinned: a truncated tag would be easier to forge.
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.key,
      Buffer.from(sealed.iv, 'base64url'),
      {
        authTagLength: 16,
      },
    );
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(sealed.ciphertext, 'base64url')),
      decipher.final(),
    ]);
  }
}

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { EncryptedPrivateKey } from './signing-key.model';

/**
 * Encrypts the signing keys' private halves at rest: AES-256-GCM under a key derived with
 * HKDF-SHA256 from the API's token secret (`JWT_SECRET`), for this use only (the refresh-token
 * MAC derives its own). A database dump alone therefore holds no usable private key, and a
 * record that does not decrypt with this secret is not one of this API's keys.
 */
export class SigningKeyCipher {
  private readonly key: Buffer;

  /** @param secret the API's token secret (`JWT_SECRET`). */
  constructor(secret: string) {
    this.key = Buffer.from(
      hkdfSync('sha256', secret, 'movie-catalog', 'signing-key-encryption-v1', 32),
    );
  }

  /** Encrypts a private key (its PKCS #8 DER) bound to its `kid`. */
  encrypt(pkcs8: Buffer, kid: string): EncryptedPrivateKey {
    // A fresh random 96-bit IV per key: a handful of encryptions per secret, far from GCM's limits.
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(kid));
    const ciphertext = Buffer.concat([cipher.update(pkcs8), cipher.final()]);
    return {
      alg: 'A256GCM',
      iv: iv.toString('base64url'),
      tag: cipher.getAuthTag().toString('base64url'),
      ciphertext: ciphertext.toString('base64url'),
    };
  }

  /** The PKCS #8 DER back; throws when the secret, the `kid` or any byte differs. */
  decrypt(encrypted: EncryptedPrivateKey, kid: string): Buffer {
    if (encrypted.alg !== 'A256GCM') throw new TypeError(`Unknown key encryption ${encrypted.alg}`);
    // The tag length is pinned: a truncated tag would be easier to forge.
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.key,
      Buffer.from(encrypted.iv, 'base64url'),
      {
        authTagLength: 16,
      },
    );
    decipher.setAAD(Buffer.from(kid));
    decipher.setAuthTag(Buffer.from(encrypted.tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(encrypted.ciphertext, 'base64url')),
      decipher.final(),
    ]);
  }
}

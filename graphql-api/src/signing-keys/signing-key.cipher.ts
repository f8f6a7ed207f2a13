import { SecretCipher } from '../shared/secret-cipher';
import type { SealedSecret } from '../shared/secret-cipher';

/**
 * Encrypts the signing keys' private halves at rest (see SecretCipher), bound to their `kid`,
 * under a key for this use only (the refresh-token MAC and two-factor secrets derive their own).
 * A record that does not decrypt with this secret is not one of this API's keys.
 */
export class SigningKeyCipher {
  private readonly cipher: SecretCipher;

  /** @param secret the API's token secret (`JWT_SECRET`). */
  constructor(secret: string) {
    this.cipher = new SecretCipher(secret, 'signing-key-encryption-v1');
  }

  /** Encrypts a private key (its PKCS #8 DER) bound to its `kid`. */
  encrypt(pkcs8: Buffer, kid: string): SealedSecret {
    return this.cipher.encrypt(pkcs8, kid);
  }

  /** The PKCS #8 DER back; throws when the secret, the `kid` or any byte differs. */
  decrypt(encrypted: SealedSecret, kid: string): Buffer {
    return this.cipher.decrypt(encrypted, kid);
  }
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { AppError } from '../errors/index.js';

export type EncryptionContext = Record<string, string>;

export interface DataKey {
  plaintext: Buffer;
  wrapped: Buffer;
  keyId: string;
}

/** Port: mints per-object data keys and unwraps them, bound to an encryption context. */
export interface DataKeyProvider {
  generate(context: EncryptionContext): Promise<DataKey>;
  unwrap(wrapped: Buffer, keyId: string, context: EncryptionContext): Promise<Buffer>;
}

/** KMS envelope encryption: the plaintext key exists only in memory; KMS enforces the context. */
export class KmsDataKeyProvider implements DataKeyProvider {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}

  async generate(context: EncryptionContext): Promise<DataKey> {
    const r = await this.kms.send(
      new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: context }),
    );
    if (!r.Plaintext || !r.CiphertextBlob) throw new AppError('DEPENDENCY_UNAVAILABLE', 'KMS returned no data key');
    return {
      plaintext: Buffer.from(r.Plaintext),
      wrapped: Buffer.from(r.CiphertextBlob),
      keyId: r.KeyId ?? this.keyId,
    };
  }

  async unwrap(wrapped: Buffer, keyId: string, context: EncryptionContext): Promise<Buffer> {
    try {
      const r = await this.kms.send(
        new DecryptCommand({ CiphertextBlob: wrapped, KeyId: keyId, EncryptionContext: context }),
      );
      if (!r.Plaintext) throw new Error('no plaintext');
      return Buffer.from(r.Plaintext);
    } catch (cause) {
      const name = (cause as { name?: string }).name ?? '';
      if (name === 'InvalidCiphertextException' || name === 'IncorrectKeyException') {
        throw new AppError('INTEGRITY_FAILED', 'Data key does not match its encryption context', { cause });
      }
      throw new AppError('DEPENDENCY_UNAVAILABLE', 'KMS unavailable', {
        cause,
        details: { dependency: 'kms' },
      });
    }
  }
}

/** Local key wrapping (AES-GCM, context as AAD) for unit tests of code that encrypts. */
export class LocalDataKeyProvider implements DataKeyProvider {
  constructor(private readonly master: Buffer = randomBytes(32)) {}

  private aad(context: EncryptionContext) {
    return Buffer.from(canonicalContext(context));
  }

  async generate(context: EncryptionContext): Promise<DataKey> {
    const plaintext = randomBytes(32);
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.master, iv).setAAD(this.aad(context));
    const body = Buffer.concat([c.update(plaintext), c.final()]);
    return { plaintext, wrapped: Buffer.concat([iv, c.getAuthTag(), body]), keyId: 'local' };
  }

  async unwrap(wrapped: Buffer, _keyId: string, context: EncryptionContext): Promise<Buffer> {
    try {
      const d = createDecipheriv('aes-256-gcm', this.master, wrapped.subarray(0, 12)).setAAD(this.aad(context));
      d.setAuthTag(wrapped.subarray(12, 28));
      return Buffer.concat([d.update(wrapped.subarray(28)), d.final()]);
    } catch (cause) {
      throw new AppError('INTEGRITY_FAILED', 'Data key does not match its encryption context', { cause });
    }
  }
}

/** Sorted-key JSON: the same context always serialises to the same bytes. */
export function canonicalContext(context: EncryptionContext): string {
  return JSON.stringify(Object.fromEntries(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { DataKeyProvider } from '@medvault/common/crypto';
import { AppError } from '@medvault/common/errors';
import type { TextCipher } from '../domain/ports.js';
import type { Conversation } from '../domain/types.js';

type Keyed = Pick<Conversation, 'id' | 'wrappedKey' | 'keyId'>;

/**
 * Envelope encryption of message text, the files service's approach: one KMS data key per
 * conversation, wrapped with the encryption context {service: chat, conversationId} so a key
 * copied onto another conversation does not unwrap. Each text is AES-256-GCM with its own IV and
 * the message id as additional data (a ciphertext moved to another message fails to open).
 * Unwrapped keys are kept in a small in-process cache: a KMS round trip per message read would
 * dominate the latency.
 */
export class KmsTextCipher implements TextCipher {
  private readonly cache = new Map<string, Buffer>();

  constructor(
    private readonly keys: DataKeyProvider,
    private readonly cacheSize = 1000,
  ) {}

  private context(conversationId: string) {
    return { service: 'chat', conversationId };
  }

  async newKey(conversationId: string) {
    const k = await this.keys.generate(this.context(conversationId));
    this.remember(conversationId, k.plaintext);
    return { wrappedKey: k.wrapped, keyId: k.keyId };
  }

  private remember(id: string, key: Buffer) {
    this.cache.delete(id);
    this.cache.set(id, key);
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.get(oldest)?.fill(0);
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  private async key(c: Keyed): Promise<Buffer> {
    const hit = this.cache.get(c.id);
    if (hit) return hit;
    const key = await this.keys.unwrap(c.wrappedKey, c.keyId, this.context(c.id));
    this.remember(c.id, key);
    return key;
  }

  async seal(c: Keyed, aad: string, text: string): Promise<Buffer> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', await this.key(c), iv).setAAD(Buffer.from(aad));
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  async open(c: Keyed, aad: string, sealed: Buffer): Promise<string> {
    try {
      const d = createDecipheriv('aes-256-gcm', await this.key(c), sealed.subarray(0, 12)).setAAD(Buffer.from(aad));
      d.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8');
    } catch (cause) {
      if (AppError.is(cause)) throw cause;
      throw new AppError('INTEGRITY_FAILED', 'A message failed its integrity check', { cause });
    }
  }
}

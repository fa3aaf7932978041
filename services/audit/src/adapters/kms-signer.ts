import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { SignatureVerifier, Signer } from '../domain/ports.js';

/** Signs checkpoints with the KMS asymmetric key (ECC_NIST_P256): the private key never leaves KMS. */
export class KmsSigner implements Signer {
  constructor(
    private readonly kms: KMSClient,
    readonly keyId: string,
  ) {}

  async sign(message: Buffer): Promise<Buffer> {
    const r = await this.kms.send(
      new SignCommand({ KeyId: this.keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    if (!r.Signature) throw new Error('KMS returned no signature');
    return Buffer.from(r.Signature);
  }
}

/** Verifies locally with the KMS public key (fetched once per key id): fast, and checkable offline. */
export class KmsPublicKeyVerifier implements SignatureVerifier {
  private key: Promise<KeyObject> | undefined;

  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
  ) {}

  private publicKey(): Promise<KeyObject> {
    if (!this.key) {
      const k = this.kms.send(new GetPublicKeyCommand({ KeyId: this.keyId })).then((r) => {
        if (!r.PublicKey) throw new Error('KMS returned no public key');
        return createPublicKey({ key: Buffer.from(r.PublicKey), format: 'der', type: 'spki' });
      });
      k.catch(() => {
        this.key = undefined; // retry on the next call
      });
      this.key = k;
    }
    return this.key;
  }

  async verify(message: Buffer, signature: Buffer): Promise<boolean> {
    return verify('sha256', message, await this.publicKey(), signature);
  }
}

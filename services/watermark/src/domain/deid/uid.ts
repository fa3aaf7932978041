import { createHmac } from 'node:crypto';

/**
 * The replacement of a UID: "2.25." + a UUID (PS3.5 B.2) derived by HMAC-SHA-256 from the original
 * under a secret salt. Deterministic, so every instance of a study or series de-identified under
 * the same salt maps its Study/Series/Frame of Reference UIDs alike; one-way and keyed, so the
 * original cannot be confirmed from the copy without the salt. RFC 9562 version 8 (custom) bits.
 */
export function remapUid(salt: string, uid: string): string {
  const b = createHmac('sha256', salt).update(uid.replace(/\0/g, '').trim()).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${b.toString('hex')}`).toString(10)}`;
}

import type { Redis } from 'ioredis';
import type { PatientIdentities } from '../domain/ports.js';

/**
 * The DICOM patient identity first seen for each MedVault patient, as a fingerprint (never the
 * identity itself). SET NX makes the first file win even with concurrent workers.
 */
export class RedisPatientIdentities implements PatientIdentities {
  constructor(private readonly redis: Redis) {}

  async agrees(patientRef: string, fingerprint: string): Promise<boolean> {
    const key = `watermark:dicom-patient:${patientRef}`;
    await this.redis.set(key, fingerprint, 'NX');
    return (await this.redis.get(key)) === fingerprint;
  }
}

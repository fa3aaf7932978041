import { MongoCareProjections } from '@medvault/common/projections';
import type { Db } from 'mongodb';
import type { CareLinks } from '../domain/ports.js';
import { guard } from './guard.js';

/**
 * The gateway's projection of care relationships (appointments' care.* events, written by the
 * shared order-safe `setCare`), read by the people picker. The gateway's own users live in
 * `users`: the projection's user collection is renamed so nothing here can ever write there.
 */
export class MongoCareLinks extends MongoCareProjections implements CareLinks {
  constructor(db: Db) {
    super(db, { users: 'care_user_projection' });
  }

  async patientsOf(clinicianId: string): Promise<string[]> {
    const docs = await guard('mongo', () =>
      this.care.find({ clinicianId, active: true }, { projection: { patientId: 1 } }).toArray(),
    );
    return docs.map((d) => d.patientId);
  }

  async cliniciansOf(patientId: string): Promise<string[]> {
    const docs = await guard('mongo', () =>
      this.care.find({ patientId, active: true }, { projection: { clinicianId: 1 } }).toArray(),
    );
    return docs.map((d) => d.clinicianId);
  }
}

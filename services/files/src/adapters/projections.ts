import { MongoCareProjections } from '@medvault/common/projections';
import type { Directory } from '../domain/ports.js';

/**
 * Local projections of other services' facts (care relationships from appointments, users
 * from the gateway): the policy needs them on every request, so they are read locally. The
 * writes (idempotent, order-safe) are the shared ones of @medvault/common/projections.
 */
export class Projections extends MongoCareProjections implements Directory {
  async inCare(clinicianId: string, patientId: string): Promise<boolean> {
    const c = await this.care.findOne({ _id: `${clinicianId}:${patientId}` });
    return c?.active === true;
  }

  async inCareOf(clinicianId: string, patientIds: string[]): Promise<Set<string>> {
    const docs = await this.care
      .find({ _id: { $in: patientIds.map((p) => `${clinicianId}:${p}`) }, active: true })
      .toArray();
    return new Set(docs.map((d) => d.patientId));
  }

  async patientsInCare(clinicianId: string): Promise<string[]> {
    const docs = await this.care.find({ clinicianId, active: true }).toArray();
    return docs.map((d) => d.patientId);
  }
}

import { MongoCareProjections } from '@medvault/common/projections';
import type { Directory } from '../domain/ports.js';
import type { UserFacts } from '../domain/types.js';

/**
 * Projections of the gateway's users and appointments' care relationships (the same facts the
 * files service decides care from, the same writes: @medvault/common/projections), kept from
 * user.* and care.* events.
 */
export class MongoDirectory extends MongoCareProjections implements Directory {
  async users(ids: string[]): Promise<Map<string, UserFacts>> {
    const docs = await this.usersCol.find({ _id: { $in: ids } }).toArray();
    const out = new Map<string, UserFacts>();
    for (const d of docs) if (d.role) out.set(d._id, { role: d.role, active: d.active });
    return out;
  }

  async carers(patientId: string, clinicianIds: string[]): Promise<Set<string>> {
    if (clinicianIds.length === 0) return new Set();
    const docs = await this.care.find({ patientId, clinicianId: { $in: clinicianIds }, active: true }).toArray();
    return new Set(docs.map((d) => d.clinicianId));
  }
}

import type { Collection, Filter } from 'mongodb';
import { padSeq } from '../domain/checkpoint.js';
import type { AuditRecord } from '../domain/record.js';
import { type StoredRecord, withoutId } from './mongo-records.js';

export interface SearchFilters {
  actorId?: string;
  patientId?: string;
  resourceId?: string;
  action?: string;
  from?: string;
  to?: string;
}

export function toMongoFilter(f: SearchFilters): Filter<StoredRecord> {
  const q: Filter<StoredRecord> = {};
  if (f.actorId) q['actor.userId'] = f.actorId;
  if (f.patientId) q.patientId = f.patientId;
  if (f.resourceId) q['resource.id'] = f.resourceId;
  if (f.action) q.action = f.action;
  // occurredAt is stored as a normalised ISO-8601 UTC string, so string order is time order.
  if (f.from || f.to) {
    q.occurredAt = {
      ...(f.from ? { $gte: new Date(f.from).toISOString() } : {}),
      ...(f.to ? { $lt: new Date(f.to).toISOString() } : {}),
    };
  }
  return q;
}

/** Newest first; the cursor is the seq of the last item returned (exclusive upper bound next time). */
export async function searchRecords(
  records: Collection<StoredRecord>,
  filters: SearchFilters,
  page: { cursor?: number; limit: number },
): Promise<{ items: AuditRecord[]; nextCursor: string | null }> {
  const q = toMongoFilter(filters);
  if (page.cursor !== undefined) q._id = { $lt: padSeq(page.cursor) };
  const docs = await records
    .find(q)
    .sort({ _id: -1 })
    .limit(page.limit + 1)
    .toArray();
  const items = docs.slice(0, page.limit).map(withoutId);
  const more = docs.length > page.limit;
  return { items, nextCursor: more && items.length > 0 ? String(items[items.length - 1]!.seq) : null };
}

/** Every matching record, in append order, streamed from a cursor (bounded memory at any size). */
export function exportRecords(records: Collection<StoredRecord>, filters: SearchFilters): AsyncIterable<StoredRecord> {
  return records.find(toMongoFilter(filters), { batchSize: 1000 });
}

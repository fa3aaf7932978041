import type { FileRecord } from '../domain/file.js';

/** The public shape of a file's metadata (never the wrapped key, outbox, or storage keys). */
export function toApi(f: FileRecord) {
  const iso = (d: Date | null | undefined) => (d ? new Date(d).toISOString() : undefined);
  return {
    id: f._id,
    status: f.status,
    name: f.name,
    ...(f.description ? { description: f.description } : {}),
    size: f.size,
    sha256: f.sha256,
    contentType: f.contentType,
    ownerId: f.ownerId,
    patientId: f.patientId,
    uploadedBy: f.uploadedBy,
    version: f.version,
    generation: f.generation,
    downloads: f.downloads,
    shares: f.shares.map((s) => ({ userId: s.userId, ...(s.expiresAt ? { expiresAt: iso(s.expiresAt) } : {}) })),
    hasWatermarkedRendition: f.derivatives.some((d) => d.kind === 'watermarked'),
    ...(f.dicom ? { dicom: f.dicom, hasPreview: f.derivatives.some((d) => d.kind === 'preview') } : {}),
    createdAt: iso(f.createdAt)!,
    updatedAt: iso(f.updatedAt)!,
    ...(f.deletedAt ? { deletedAt: iso(f.deletedAt) } : {}),
    ...(f.purgeAfter && f.status === 'deleted' ? { purgeAfter: iso(f.purgeAfter) } : {}),
  };
}
export type ApiFile = ReturnType<typeof toApi>;

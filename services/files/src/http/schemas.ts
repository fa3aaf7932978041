import { DicomIndex } from '@medvault/common/events';
import { idPattern } from '@medvault/common/ids';
import { Type } from '@sinclair/typebox';
import { STATUSES } from '../domain/lifecycle.js';

export const FileId = Type.String({ pattern: idPattern('file') });
export const UserId = Type.String({ pattern: idPattern('user') });
export const Status = Type.Union(STATUSES.map((s) => Type.Literal(s)));

export const FileParams = Type.Object({ id: FileId }, { additionalProperties: false });

export const FileSchema = Type.Object({
  id: Type.String(),
  status: Status,
  name: Type.String(),
  description: Type.Optional(Type.String()),
  size: Type.Integer(),
  sha256: Type.String(),
  contentType: Type.String(),
  ownerId: Type.String(),
  patientId: Type.String(),
  uploadedBy: Type.String(),
  version: Type.Integer(),
  generation: Type.Integer(),
  downloads: Type.Integer(),
  shares: Type.Array(Type.Object({ userId: Type.String(), expiresAt: Type.Optional(Type.String()) })),
  hasWatermarkedRendition: Type.Boolean(),
  /** DICOM files: the indexed header (CONTRACT "Imaging") and whether a preview exists. */
  dicom: Type.Optional(DicomIndex),
  hasPreview: Type.Optional(Type.Boolean()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  deletedAt: Type.Optional(Type.String()),
  purgeAfter: Type.Optional(Type.String()),
  duplicate: Type.Optional(Type.Boolean()),
});

/** The upload handler checks the same limit on the streamed part (core/upload.ts MAX_DESCRIPTION). */
export const UPLOAD_DESCRIPTION_MAX_LENGTH = 2000;

/** POST /v1/files parts, in this order (fields before the file: see core/upload.ts). */
export const UploadParts = Type.Object(
  {
    patientId: Type.Optional(UserId),
    description: Type.Optional(Type.String({ maxLength: UPLOAD_DESCRIPTION_MAX_LENGTH })),
    file: Type.String({ format: 'binary', description: 'the file, streamed; its name is the part filename' }),
  },
  { additionalProperties: false },
);

export const ListQuery = Type.Object(
  {
    status: Type.Optional(Status),
    patientId: Type.Optional(UserId),
    contentType: Type.Optional(Type.String({ maxLength: 100 })),
    modality: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9]{1,16}$' })),
    studyInstanceUid: Type.Optional(Type.String({ pattern: '^[0-9.]{1,64}$' })),
    studyDateFrom: Type.Optional(Type.String({ format: 'date' })),
    studyDateTo: Type.Optional(Type.String({ format: 'date' })),
    cursor: Type.Optional(FileId),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
  },
  { additionalProperties: false },
);

export const ListResponse = Type.Object({
  items: Type.Array(FileSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const ShareBody = Type.Object(
  { userId: UserId, expiresAt: Type.Optional(Type.String({ format: 'date-time' })) },
  { additionalProperties: false },
);
export const ShareResponse = Type.Object({
  fileId: Type.String(),
  userId: Type.String(),
  expiresAt: Type.Optional(Type.String()),
});

export const LinkBody = Type.Object(
  {
    ttlSeconds: Type.Optional(Type.Integer({ minimum: 1 })),
    maxDownloads: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export const LinkResponse = Type.Object({
  id: Type.String(),
  url: Type.String(),
  expiresAt: Type.String(),
  maxDownloads: Type.Optional(Type.Integer()),
});

export const RescanResponse = Type.Object({ requested: Type.Integer({ description: 'files queued for a rescan' }) });

/** The content of a file, in its own content type; `206` for a Range request. */
export const Download = {
  description: 'The file content (its own content type); Repr-Digest header; images watermarked',
  content: { 'application/octet-stream': { schema: Type.String({ format: 'binary' }) } },
};

export const Preview = {
  description: 'PNG rendition of a DICOM frame, windowed and watermarked; Repr-Digest header',
  content: { 'image/png': { schema: Type.String({ format: 'binary' }) } },
};

export const NoContent = Type.Null({ description: 'Done; no body' });

export const RescanBody = Type.Object(
  {
    olderThanDatabaseVersion: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    reason: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

import { idPattern } from '@medvault/common/ids';
import { Type } from '@sinclair/typebox';

/** DICOMweb (PS3.18) route schemas: what the content types allow TypeBox to describe. */

const Code = Type.String({ pattern: '^[A-Za-z0-9]{1,16}$', description: 'a DICOM code string (e.g. CT)' });
const Uid = Type.String({ pattern: '^[0-9.]{1,64}$', description: 'a DICOM UID' });

export const StudyParams = Type.Object({ study: Uid }, { additionalProperties: false });
export const SeriesParams = Type.Object({ study: Uid, series: Uid }, { additionalProperties: false });
export const InstanceParams = Type.Object({ study: Uid, series: Uid, instance: Uid }, { additionalProperties: false });
export const FrameParams = Type.Object(
  { study: Uid, series: Uid, instance: Uid, frames: Type.String({ pattern: '^[0-9]{1,6}(,[0-9]{1,6}){0,99}$' }) },
  { additionalProperties: false },
);

/** QIDO-RS query keys (by keyword; the tag form, e.g. 00080020, works too). Others do not narrow. */
export const QidoQuery = Type.Object({
  StudyInstanceUID: Type.Optional(Uid),
  SeriesInstanceUID: Type.Optional(Uid),
  SOPInstanceUID: Type.Optional(Uid),
  Modality: Type.Optional(Code),
  ModalitiesInStudy: Type.Optional(Code),
  StudyDate: Type.Optional(
    Type.String({
      pattern: '^[0-9]{8}$|^[0-9]{8}-$|^-[0-9]{8}$|^[0-9]{8}-[0-9]{8}$',
      description: 'YYYYMMDD, or a range YYYYMMDD-YYYYMMDD (either end open)',
    }),
  ),
  limit: Type.Optional(Type.Integer({ minimum: 1 })),
  offset: Type.Optional(Type.Integer({ minimum: 0 })),
  includefield: Type.Optional(Type.String({ maxLength: 1000 })),
  fuzzymatching: Type.Optional(Type.String({ maxLength: 5 })),
});

/** A clinician's STOW-RS names the patient whose files the instances become (a patient's: their own). */
export const StowQuery = Type.Object(
  { patientId: Type.Optional(Type.String({ pattern: idPattern('user') })) },
  { additionalProperties: false },
);

const Element = Type.Object(
  {
    vr: Type.String(),
    Value: Type.Optional(Type.Array(Type.Unknown())),
    InlineBinary: Type.Optional(Type.String()),
    BulkDataURI: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
/** A dataset in the DICOM JSON model (PS3.18 F.2): attributes keyed by tag (8 hex digits). */
export const Dataset = Type.Record(Type.String({ pattern: '^[0-9A-F]{8}$' }), Element);

export const DicomJson = (description: string) => ({
  description,
  content: { 'application/dicom+json': { schema: Type.Array(Dataset) } },
});
export const StowResponse = {
  description:
    'ReferencedSOPSequence (stored: scanned before retrievable) and FailedSOPSequence (with reasons); 202 when some failed, 409 when all did',
  content: { 'application/dicom+json': { schema: Dataset } },
};
export const Instances = {
  description: 'multipart/related; type="application/dicom": the original instances, as uploaded',
  content: { 'multipart/related': { schema: Type.String({ format: 'binary' }) } },
};
export const Rendered = {
  description: 'PNG rendition of the first frame, windowed and watermarked (the preview)',
  content: { 'image/png': { schema: Type.String({ format: 'binary' }) } },
};

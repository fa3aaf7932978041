import { Type } from '@sinclair/typebox';
import { Ref } from '../envelope.js';

/**
 * A clean file whose processing (the watermarked rendition) was refused, e.g. a decompression
 * bomb over the pixel limit or an image that cannot be decoded. The file must NOT become
 * available: images are only ever served watermarked. Emitted by the watermark service.
 */
export const type = 'file.processing_failed';
export const version = 1;
export const schema = Type.Object({
  fileId: Ref,
  generation: Type.Integer({ minimum: 1 }),
  ownerId: Type.Optional(Ref),
  patientId: Type.Optional(Ref),
  stage: Type.String({ maxLength: 50 }),
  code: Type.Union([Type.Literal('IMAGE_TOO_LARGE'), Type.Literal('IMAGE_UNREADABLE'), Type.Literal('OBJECT_MISSING')]),
  reason: Type.String({ maxLength: 300 }),
});

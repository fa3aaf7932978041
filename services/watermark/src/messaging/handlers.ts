import type { EventHandlers } from '@medvault/common/bus';
import { counter } from '@medvault/common/http';
import { type DeidDeps, deidentifyFile } from '../app/deidentify-file.js';
import { type ProcessDeps, processFile } from '../app/process-file.js';
import type { Deps } from '../deps.js';

const outcomes = counter('watermark_files_total', 'Clean files handled by outcome', ['outcome']);

export function processDepsOf(deps: Deps): ProcessDeps {
  return {
    opener: deps.opener,
    renderer: deps.renderer,
    dicom: deps.dicom,
    zipDicom: deps.zipDicom,
    identities: deps.identities,
    dicomMaxBytes: deps.config.DICOM_MAX_BYTES,
    warn: (msg) => deps.logger.warn(msg),
    derivatives: deps.derivatives,
    publish: (e) => deps.publisher.publish(e),
    organisation: deps.config.ORGANISATION_NAME,
    maxPixels: deps.config.WATERMARK_MAX_PIXELS,
    derivativesBucket: deps.config.BUCKET_DERIVATIVES,
  };
}

const copies = counter('watermark_deidentified_total', 'De-identification requests handled by outcome', ['outcome']);

export function deidDepsOf(deps: Deps): DeidDeps {
  return {
    opener: deps.opener,
    deidentifier: deps.deidentifier,
    salts: deps.salts,
    copies: deps.copies,
    dicomMaxBytes: deps.config.DICOM_MAX_BYTES,
    publish: (e) => deps.publisher.publish(e),
  };
}

/** The watermark service reacts to file.clean and file.deidentify_requested (its queue's filter policy). */
export function buildHandlers(deps: Deps): EventHandlers {
  return {
    'file.clean': async (event, ctx) => {
      const outcome = await processFile(processDepsOf(deps), event.data, event.correlationId);
      outcomes.inc({ outcome });
      const level = outcome === 'processed' ? 'info' : 'warn';
      ctx.logger[level](
        { fileId: event.data.fileId, generation: event.data.generation, outcome },
        'clean file handled',
      );
    },
    'file.deidentify_requested': async (event, ctx) => {
      const outcome = await deidentifyFile(
        deidDepsOf(deps),
        event.data,
        { correlationId: event.correlationId, ...(event.actor ? { actor: event.actor } : {}) },
        (msg) => ctx.logger.warn({ fileId: event.data.fileId, sourceFileId: event.data.sourceFileId }, msg),
      );
      copies.inc({ outcome });
      ctx.logger[outcome === 'deidentified' ? 'info' : 'warn'](
        { fileId: event.data.fileId, sourceFileId: event.data.sourceFileId, outcome },
        'de-identification request handled',
      );
    },
  };
}

import type { EventHandlers } from '@medvault/common/bus';
import { careHandlers } from '@medvault/common/projections';
import { applyProcessed } from '../app/apply-processed.js';
import { applyProcessingFailed } from '../app/apply-processing-failed.js';
import { applyScan } from '../app/apply-scan.js';
import { blockForIntegrity } from '../app/block-for-integrity.js';
import { recordDeidentified } from '../app/record-deidentified.js';
import { systemMeta } from '../domain/events.js';
import type { FilesPorts } from '../domain/ports.js';

/**
 * The events the files service reacts to (its queue's filter policy delivers only these).
 * Every handler is safe to re-run: transitions are conditional on the current status and
 * generation, projections are upserts.
 */
export function buildHandlers(deps: FilesPorts): EventHandlers {
  return {
    'file.scanned': async (e, { logger }) => {
      const outcome = await applyScan(deps, e, systemMeta(e.correlationId));
      logger.info({ fileId: e.data.fileId, verdict: e.data.verdict, outcome }, 'scan verdict applied');
    },
    'file.processed': async (e, { logger }) => {
      const outcome = await applyProcessed(deps, e, systemMeta(e.correlationId));
      logger.info({ fileId: e.data.fileId, outcome }, 'processing result applied');
    },
    'file.processing_failed': async (e, { logger }) => {
      const outcome = await applyProcessingFailed(deps, e).catch((err: unknown) => {
        if ((err as { code?: string }).code === 'NOT_FOUND') return 'unknown file';
        throw err;
      });
      logger.warn({ fileId: e.data.fileId, code: e.data.code, outcome }, 'processing failed: file blocked');
    },
    'file.deidentified': async (e, { logger }) => {
      const meta = { correlationId: e.correlationId, actor: e.actor ?? systemMeta(e.correlationId).actor };
      const outcome = await recordDeidentified(deps, e, meta);
      logger.info({ fileId: e.data.fileId, sourceFileId: e.data.sourceFileId, outcome }, 'de-identified copy recorded');
    },
    'file.integrity_failed': async (e, { logger }) => {
      // Our own download-time failures already blocked the file; others' (watermark) block it here.
      if (e.source !== 'files') {
        await blockForIntegrity(
          deps,
          e.data.fileId,
          e.data.stage,
          e.data.actualSha256,
          systemMeta(e.correlationId),
          false,
        ).catch((err: unknown) => {
          if ((err as { code?: string }).code !== 'NOT_FOUND') throw err;
        });
        logger.warn({ fileId: e.data.fileId, stage: e.data.stage }, 'file blocked after integrity failure');
      }
    },
    // Care grants file access: only the appointments service (which derives it from patient
    // confirmations and admin assignments) may announce it; anything else on the bus is ignored.
    ...careHandlers(deps.projections),
    'user.created': async (e) => {
      await deps.projections.upsertUser(
        e.data.userId,
        { role: e.data.role, active: e.data.active ?? true },
        new Date(e.occurredAt),
      );
    },
    'user.updated': async (e) => {
      await deps.projections.upsertUser(
        e.data.userId,
        { role: e.data.role, active: e.data.active },
        new Date(e.occurredAt),
      );
    },
  };
}

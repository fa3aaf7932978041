import type { EventHandlers, HandlerContext } from '@medvault/common/bus';
import { outcomesTotal, verdictsTotal } from '../adapters/clamav-scanner.js';
import { type ScanDeps, type ScanOutcome, type ScanRequest, scanFile } from '../app/scan-file.js';
import type { Deps } from '../deps.js';

export function scanDepsOf(deps: Deps): ScanDeps {
  const c = deps.config;
  return {
    opener: deps.opener,
    scanner: deps.scanner,
    store: deps.verdicts,
    publish: (e) => deps.publisher.publish(e),
    policy: {
      maxBytes: c.SCAN_MAX_BYTES,
      unscannable: c.UNSCANNABLE_POLICY,
      maxAttempts: c.SCAN_MAX_ATTEMPTS,
      buckets: [c.BUCKET_QUARANTINE, c.BUCKET_CLEAN],
    },
  };
}

async function run(deps: Deps, req: ScanRequest, ctx: HandlerContext): Promise<ScanOutcome> {
  const out = await scanFile(scanDepsOf(deps), req, ctx.receiveCount);
  outcomesTotal.inc({ outcome: out.kind });
  const log = { fileId: req.fileId, generation: req.generation, round: req.round };
  if (out.kind === 'outdated') {
    ctx.logger.info({ ...log, latestGeneration: out.latestGeneration }, 'outdated generation: no verdict');
  } else {
    const d = out.record.event.data;
    if (out.kind === 'scanned') verdictsTotal.inc({ verdict: d.verdict });
    // Signature names are not PHI; file names never reach this service.
    ctx.logger.info(
      { ...log, verdict: d.verdict, signatures: d.signatures, error: d.error, replayed: out.kind === 'replayed' },
      'verdict published',
    );
  }
  return out;
}

/**
 * The scanner's events. A transient failure throws: the shared consumer leaves the message
 * for an SQS retry with backoff; on the last attempt scanFile records a final error verdict
 * and the message is acknowledged (see README: "Retries, final attempt and the DLQ").
 */
export function buildHandlers(deps: Deps): EventHandlers {
  return {
    'file.uploaded': async (event, ctx) => {
      const d = event.data;
      await run(
        deps,
        {
          fileId: d.fileId,
          generation: d.generation,
          bucket: d.bucket,
          key: d.key,
          ownerId: d.ownerId,
          size: d.size,
          round: 'upload',
          correlationId: event.correlationId,
        },
        ctx,
      );
    },
    'file.rescan_requested': async (event, ctx) => {
      const d = event.data;
      await run(
        deps,
        {
          fileId: d.fileId,
          generation: d.generation,
          bucket: d.bucket,
          key: d.key,
          round: `rescan:${event.id}`,
          correlationId: event.correlationId,
        },
        ctx,
      );
    },
  };
}

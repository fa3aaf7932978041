import type { FileAction, Principal } from '@medvault/common/auth';
import { DICOM, type Instance, uniqueInstances } from '../domain/dicomweb.js';
import type { DicomQuery, FilesPorts } from '../domain/ports.js';
import { decideMany } from './access.js';
import { visibilityOf } from './list-files.js';

type Ports = Pick<FilesPorts, 'files' | 'projections' | 'grants' | 'clock'>;

const PAGE = 200;
/** At most this many records are looked at for one DICOMweb request (a study of 10 000 instances). */
export const MAX_INSTANCES_SCANNED = 10_000;

/**
 * The available DICOM instances matching `dicom` that the caller may `action` (QIDO-RS: read the
 * metadata; WADO-RS: read the content). The query narrows by role as the file list does; the
 * policy then decides per file. Quarantined, blocked or deleted files are never found: a
 * STOW-RS instance appears once the scanner has released it and it was indexed.
 */
export async function findInstances(
  ports: Ports,
  p: Principal,
  dicom: DicomQuery,
  action: FileAction,
): Promise<Instance[]> {
  const visibility = await visibilityOf(ports, p, ports.clock.now());
  const found = [];
  let after: string | undefined;
  for (let seen = 0; seen < MAX_INSTANCES_SCANNED; seen += PAGE) {
    const page = await ports.files.list({
      visibility,
      status: 'available',
      contentType: DICOM,
      dicom,
      ...(after ? { after } : {}),
      limit: PAGE,
    });
    const decisions = await decideMany(ports, p, action, page);
    found.push(...page.filter((_, i) => decisions[i]!.allowed));
    if (page.length < PAGE) break;
    after = page[page.length - 1]!._id;
  }
  return uniqueInstances(found);
}

import { AppError } from '@medvault/common/errors';
import type { DicomIndex, FileRecord } from './file.js';
import type { DicomQuery } from './ports.js';

/**
 * DICOMweb (PS3.18) over the indexed DICOM header of the files (issue 17): QIDO-RS query keys
 * to the files' DICOM filters, search results and STOW-RS answers in the DICOM JSON model
 * (PS3.18 F.2). Pure: no I/O.
 */

export const DICOM = 'application/dicom';
export const DICOM_JSON = 'application/dicom+json';

/** One attribute in the DICOM JSON model: `{vr, Value}` (absent Value = empty attribute). */
export interface DicomJsonElement {
  vr: string;
  Value?: unknown[];
  BulkDataURI?: string;
  InlineBinary?: string;
}
export type DicomJsonDataset = Record<string, DicomJsonElement>;

/** Tags by the keywords QIDO-RS accepts as query keys (PS3.18 8.3.4: keyword or tag). */
const KEYS: Record<string, string> = {
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SOPInstanceUID: '00080018',
  Modality: '00080060',
  ModalitiesInStudy: '00080061',
  StudyDate: '00080020',
};

/** What a QIDO-RS request asks for, in the files' terms. */
export interface QidoQuery {
  dicom: DicomQuery;
  limit: number;
  offset: number;
}

export const QIDO_MAX_LIMIT = 1000;
const UID = /^[0-9.]{1,64}$/;

/** The value of a query key given by keyword or by tag (`StudyDate` or `00080020`). */
function queryKey(q: Record<string, unknown>, keyword: string): string | undefined {
  const v = q[keyword] ?? q[KEYS[keyword]!] ?? q[KEYS[keyword]!.toLowerCase()];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s !== '' && s !== '*' ? s : undefined;
}

/** DA "YYYYMMDD" → ISO date; a malformed date is the client's error. */
function isoDa(da: string, key: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da);
  if (!m) throw new AppError('BAD_REQUEST', `${key} must be a DICOM date (YYYYMMDD) or range`);
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** StudyDate matching (PS3.4 C.2.2.2.5): a single date, `from-`, `-to` or `from-to`. */
function studyDateRange(v: string): Pick<DicomQuery, 'studyDateFrom' | 'studyDateTo'> {
  const [from, to, extra] = v.split('-');
  if (extra !== undefined) throw new AppError('BAD_REQUEST', 'StudyDate must be a date or one range');
  if (to === undefined) {
    const d = isoDa(from!, 'StudyDate');
    return { studyDateFrom: d, studyDateTo: d };
  }
  return {
    ...(from ? { studyDateFrom: isoDa(from, 'StudyDate') } : {}),
    ...(to ? { studyDateTo: isoDa(to, 'StudyDate') } : {}),
  };
}

function uid(v: string | undefined, key: string): string | undefined {
  if (v === undefined) return undefined;
  if (!UID.test(v)) throw new AppError('BAD_REQUEST', `${key} must be a DICOM UID`);
  return v;
}

/**
 * The supported matching keys of a QIDO-RS query (UIDs, Modality/ModalitiesInStudy, StudyDate),
 * `limit` and `offset`. Other keys (includefield, fuzzymatching, patient attributes) do not narrow
 * the search: every result is already limited to what the caller may see.
 */
export function parseQido(q: Record<string, unknown>, path: { study?: string; series?: string }): QidoQuery {
  const modality = queryKey(q, 'Modality') ?? queryKey(q, 'ModalitiesInStudy');
  if (modality !== undefined && !/^[A-Za-z0-9]{1,16}$/.test(modality))
    throw new AppError('BAD_REQUEST', 'Modality must be a DICOM code string');
  const date = queryKey(q, 'StudyDate');
  const study = uid(path.study ?? queryKey(q, 'StudyInstanceUID'), 'StudyInstanceUID');
  const series = uid(path.series ?? queryKey(q, 'SeriesInstanceUID'), 'SeriesInstanceUID');
  const sop = uid(queryKey(q, 'SOPInstanceUID'), 'SOPInstanceUID');
  const dicom: DicomQuery = {
    ...(study ? { studyInstanceUid: study } : {}),
    ...(series ? { seriesInstanceUid: series } : {}),
    ...(sop ? { sopInstanceUid: sop } : {}),
    ...(modality ? { modality } : {}),
    ...(date ? studyDateRange(date) : {}),
  };
  const limit = Number(q.limit ?? QIDO_MAX_LIMIT);
  const offset = Number(q.offset ?? 0);
  if (!Number.isInteger(limit) || limit < 1) throw new AppError('BAD_REQUEST', 'limit must be a positive integer');
  if (!Number.isInteger(offset) || offset < 0) throw new AppError('BAD_REQUEST', 'offset must be a whole number');
  return { dicom, limit: Math.min(limit, QIDO_MAX_LIMIT), offset };
}

const el = (vr: string, value: unknown): DicomJsonElement =>
  value === undefined || value === null || value === '' ? { vr } : { vr, Value: [value] };
const da = (iso: string | undefined) => (iso ? iso.replaceAll('-', '') : undefined);

/** An indexed DICOM file: one instance. */
export type Instance = FileRecord & { dicom: DicomIndex & { sopInstanceUid: string; studyInstanceUid: string } };

export function isInstance(f: FileRecord): f is Instance {
  return f.contentType === DICOM && !!f.dicom?.sopInstanceUid && !!f.dicom.studyInstanceUid;
}

/** One instance per SOP Instance UID (a re-upload with other bytes: the latest wins), in UID order. */
export function uniqueInstances(files: FileRecord[]): Instance[] {
  const by = new Map<string, Instance>();
  for (const f of files) {
    if (!isInstance(f)) continue;
    const seen = by.get(f.dicom.sopInstanceUid);
    if (!seen || seen.createdAt < f.createdAt) by.set(f.dicom.sopInstanceUid, f);
  }
  return [...by.values()].sort((a, b) => (a.dicom.sopInstanceUid < b.dicom.sopInstanceUid ? -1 : 1));
}

const studyAttrs = (i: Instance): DicomJsonDataset => ({
  '00080020': el('DA', da(i.dicom.studyDate)),
  '00081030': el('LO', i.dicom.studyDescription),
  '00100020': el('LO', i.patientId),
  '0020000D': el('UI', i.dicom.studyInstanceUid),
});

const seriesAttrs = (i: Instance): DicomJsonDataset => ({
  '00080060': el('CS', i.dicom.modality),
  '00180015': el('CS', i.dicom.bodyPart),
  '0020000E': el('UI', i.dicom.seriesInstanceUid),
});

function groupBy(instances: Instance[], key: (i: Instance) => string): Instance[][] {
  const groups = new Map<string, Instance[]>();
  for (const i of instances) groups.set(key(i), [...(groups.get(key(i)) ?? []), i]);
  return [...groups.values()];
}

/** QIDO-RS study results (PS3.18 Table 10.6.3-3), with the counts of what the caller may see. */
export function studyResults(instances: Instance[]): DicomJsonDataset[] {
  return groupBy(instances, (i) => i.dicom.studyInstanceUid).map((g) => ({
    ...studyAttrs(g[0]!),
    '00080061': { vr: 'CS', Value: [...new Set(g.map((i) => i.dicom.modality).filter(Boolean))] },
    '00201206': el('IS', new Set(g.map((i) => i.dicom.seriesInstanceUid)).size),
    '00201208': el('IS', g.length),
  }));
}

/** QIDO-RS series results (PS3.18 Table 10.6.3-4). */
export function seriesResults(instances: Instance[]): DicomJsonDataset[] {
  return groupBy(instances, (i) => `${i.dicom.studyInstanceUid}/${i.dicom.seriesInstanceUid}`).map((g) => ({
    ...studyAttrs(g[0]!),
    ...seriesAttrs(g[0]!),
    '00201209': el('IS', g.length),
  }));
}

/** QIDO-RS instance results (PS3.18 Table 10.6.3-5). */
export function instanceResults(instances: Instance[]): DicomJsonDataset[] {
  return instances.map((i) => ({
    ...studyAttrs(i),
    ...seriesAttrs(i),
    '00080018': el('UI', i.dicom.sopInstanceUid),
    '00280008': el('IS', i.dicom.frames),
    '00280010': el('US', i.dicom.rows),
    '00280011': el('US', i.dicom.columns),
  }));
}

/** One STOW-RS outcome: stored (and scanned before it can be retrieved) or failed with a reason. */
export type StowOutcome =
  | { ok: true; sopClassUid?: string; sopInstanceUid?: string; fileId: string }
  | { ok: false; sopClassUid?: string; sopInstanceUid?: string; reason: number };

/** PS3.18 Table 10.5.3-2/3 failure reasons. */
export const STOW_FAILURE = { processing: 0x0110, notDicom: 0xc000, studyMismatch: 0xa900, refused: 0xa700 };

/** The STOW-RS response dataset (PS3.18 10.5.3) and its status: 200 all stored, 202 some, 409 none. */
export function stowResponse(outcomes: StowOutcome[]): { status: 200 | 202 | 409; body: DicomJsonDataset } {
  const ref = (o: StowOutcome) => ({
    '00081150': el('UI', o.sopClassUid),
    '00081155': el('UI', o.sopInstanceUid),
  });
  const stored = outcomes.filter((o) => o.ok);
  const failed = outcomes.filter((o) => !o.ok);
  const body: DicomJsonDataset = {};
  if (stored.length) body['00081199'] = { vr: 'SQ', Value: stored.map(ref) };
  if (failed.length)
    body['00081198'] = {
      vr: 'SQ',
      Value: failed.map((o) => ({ ...ref(o), '00081197': el('US', o.ok ? undefined : o.reason) })),
    };
  const status = !failed.length ? 200 : stored.length ? 202 : 409;
  return { status, body };
}

/** Reads the DICOM JSON model of a Part 10 header from the first bytes of a file (an adapter). */
export interface DicomHeaderReader {
  read(prefix: Buffer): DicomJsonDataset;
}

/** Bytes of a file read for its header: enough for any ordinary header, bounded for memory. */
export const HEADER_PREFIX_BYTES = 1024 * 1024;

/** A string value of a dataset (first value), e.g. `stringOf(ds, '00080018')`. */
export function stringOf(ds: DicomJsonDataset, tag: string): string | undefined {
  const v = ds[tag]?.Value?.[0];
  return typeof v === 'string' ? v.trim() || undefined : undefined;
}

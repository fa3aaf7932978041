import { BASIC_PROFILE_EDITION } from './basic-profile-2021b.js';
import { BASIC_PROFILE, type Profile, resolve } from './profile.js';

/** One data element as dcmjs holds it (`Value` of a sequence: an array of item datasets). */
export interface Element {
  vr: string;
  Value?: unknown[];
  [k: string]: unknown;
}
/** A dataset keyed by "GGGGEEEE" (hex): what dcmjs's DicomDict calls `dict` (and `meta`). */
export type Dataset = Record<string, Element>;

export const PATIENT_IDENTITY_REMOVED = '00120062';
export const DEIDENTIFICATION_METHOD = '00120063';
export const DEIDENTIFICATION_METHOD_CODES = '00120064';
export const PIXEL_DATA = '7FE00010';
const MEDIA_STORAGE_SOP_INSTANCE_UID = '00020003';
const SOURCE_AE_TITLE = '00020016';
const SOP_INSTANCE_UID = '00080018';

/** LO: 64 characters at most. */
export const METHOD = `PS3.15 E.1 Basic Profile (DICOM ${BASIC_PROFILE_EDITION}), MedVault`;

/** Dummy values for D, per VR: valid, non-empty, and the same for every file (nothing to learn). */
const DUMMY: Record<string, unknown> = {
  AE: 'ANONYMIZED',
  AS: '000Y',
  CS: 'ANONYMIZED',
  DA: '19000101',
  DT: '19000101000000',
  TM: '000000',
  DS: 0,
  IS: 0,
  LO: 'ANONYMIZED',
  LT: 'ANONYMIZED',
  SH: 'ANONYMIZED',
  ST: 'ANONYMIZED',
  UC: 'ANONYMIZED',
  UT: 'ANONYMIZED',
  UR: 'ANONYMIZED',
  PN: { Alphabetic: 'ANONYMIZED' },
  US: 0,
  SS: 0,
  UL: 0,
  SL: 0,
  FL: 0,
  FD: 0,
  SV: 0,
  UV: 0,
};

/** Odd groups are private (PS3.5 7.8), their creators (gggg,00xx) included. */
export const isPrivate = (tag: string) => (Number.parseInt(tag.slice(0, 4), 16) & 1) === 1;

export interface DeidOptions {
  /** The new UID for an original one (deterministic within the salt's scope). */
  mapUid(uid: string): string;
  profile?: Profile;
}

const uidsOf = (el: Element, map: (u: string) => string) =>
  (el.Value ?? []).map((v) => (typeof v === 'string' && v.trim() ? map(v) : v));

/** One dataset (or sequence item), recursively: a new object, the input is left as it was. */
function applyTo(ds: Dataset, o: Required<DeidOptions>): Dataset {
  const out: Dataset = {};
  for (const tag of Object.keys(ds).sort()) {
    const el = ds[tag]!;
    if (isPrivate(tag)) continue;
    const listed = o.profile.actionFor(tag);
    const action = listed ? resolve(listed) : 'K';
    if (action === 'X') continue;
    if (action === 'Z' || (action === 'D' && (el.vr === 'SQ' || !(el.vr in DUMMY) || el.vr === 'UI'))) {
      // A UI under D is remapped rather than emptied; a sequence or binary under D has no
      // meaningful dummy without its IOD: emptied (as Orthanc does).
      out[tag] =
        el.vr === 'UI' && action === 'D' ? { vr: 'UI', Value: uidsOf(el, o.mapUid) } : { vr: el.vr, Value: [] };
    } else if (action === 'D') out[tag] = { vr: el.vr, Value: [DUMMY[el.vr]] };
    else if (action === 'U') out[tag] = { vr: el.vr, Value: uidsOf(el, o.mapUid) };
    else if (el.vr === 'SQ')
      out[tag] = { vr: 'SQ', Value: (el.Value ?? []).map((item) => applyTo(item as Dataset, o)) };
    else out[tag] = el; // kept as is, pixel data included (same bytes, same object)
  }
  return out;
}

/**
 * The Basic Application Level Confidentiality Profile over a parsed file (meta + dataset):
 * table-driven actions (nested items too), private attributes removed, UIDs remapped, Patient
 * Identity Removed = YES, the method and its code (DCM 113100) recorded. The file meta's Media
 * Storage SOP Instance UID follows the new SOP Instance UID; the source AE title is dropped.
 */
export function deidentifyDataset(
  file: { meta: Dataset; dict: Dataset },
  opts: DeidOptions,
): { meta: Dataset; dict: Dataset } {
  const o = { profile: BASIC_PROFILE, ...opts };
  const dict = applyTo(file.dict, o);
  dict[PATIENT_IDENTITY_REMOVED] = { vr: 'CS', Value: ['YES'] };
  dict[DEIDENTIFICATION_METHOD] = { vr: 'LO', Value: [METHOD] };
  dict[DEIDENTIFICATION_METHOD_CODES] = {
    vr: 'SQ',
    Value: [
      {
        '00080100': { vr: 'SH', Value: ['113100'] },
        '00080102': { vr: 'SH', Value: ['DCM'] },
        '00080104': { vr: 'LO', Value: ['Basic Application Confidentiality Profile'] },
      },
    ],
  };
  const meta: Dataset = { ...file.meta };
  delete meta[SOURCE_AE_TITLE];
  const sop = dict[SOP_INSTANCE_UID]?.Value?.[0];
  if (typeof sop === 'string') meta[MEDIA_STORAGE_SOP_INSTANCE_UID] = { vr: 'UI', Value: [sop] };
  return { meta, dict: Object.fromEntries(Object.entries(dict).sort(([a], [b]) => a.localeCompare(b))) };
}

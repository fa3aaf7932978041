import { newId } from '@medvault/common/ids';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DcmjsDeidentifier } from '../src/adapters/dicom-deidentifier.js';
import { BASIC_PROFILE, resolve } from '../src/domain/deid/profile.js';
import { remapUid } from '../src/domain/deid/uid.js';
import { type Dump, dump, sample, seriesInstance } from './deid-support.js';

// Our de-identification compared attribute by attribute with Orthanc's own anonymization of the
// same file ({"DicomVersion":"2021b"}: the same edition of the PS3.15 table), over the Basic
// Profile attributes present in the original. Orthanc is the local peer started by
// `npm run stack -- up` (infra/stack.sh, ORTHANC_URL in infra/env/local.env).
const ORTHANC = process.env.ORTHANC_URL ?? '';
const created: string[] = [];

type Outcome = 'removed' | 'emptied' | 'replaced' | 'new UID' | 'kept';

/** What happened to an attribute (by path, nested items included) between two dumps. */
function outcome(before: Dump, after: Dump, path: string): Outcome {
  const was = before.elements[path]!;
  const now = after.elements[path];
  if (!now) return 'removed';
  if (now.vr === 'SQ') return now.items === 0 ? 'emptied' : 'kept';
  if ((now.value ?? '') === '') return 'emptied';
  if (now.value === was.value) return 'kept';
  return now.vr === 'UI' ? 'new UID' : 'replaced';
}

/**
 * The known, deliberate differences, and why. Every other Basic Profile attribute must come out
 * of both the same way; a new difference fails the test until it is understood and listed.
 */
function expectedDifference(tag: string): { ours: Outcome; orthanc: Outcome; why: string } | undefined {
  if (tag === '00100010' || tag === '00100020')
    return {
      ours: 'emptied',
      orthanc: 'replaced',
      why: "Table: Z. Orthanc puts a dummy name ('Anonymized<n>') and a random patient ID so its own patient level stays distinct; we follow the table (Type 2, empty).",
    };
  const action = BASIC_PROFILE.actionFor(tag);
  if (action === 'X/Z/U*')
    return {
      ours: 'removed',
      orthanc: 'kept',
      why: 'X/Z/U*: Orthanc keeps Referenced/Source Image Sequence and remaps the UIDs inside; we take X, so a copy never points at identified instances.',
    };
  if (action === 'D')
    return {
      ours: 'replaced',
      orthanc: 'emptied',
      why: 'D: Orthanc clears D attributes (zero length); we put the dummy value the table asks for (non-zero length, per VR).',
    };
  return undefined;
}

async function orthanc(method: string, path: string, body?: Uint8Array | string) {
  const r = await fetch(`${ORTHANC}${path}`, { method, ...(body ? { body } : {}) });
  if (!r.ok) throw new Error(`Orthanc ${method} ${path}: ${r.status} ${await r.text()}`);
  return r;
}

async function store(data: Buffer): Promise<{ ID: string; Status: string }> {
  const r = (await (await orthanc('POST', '/instances', new Uint8Array(data))).json()) as {
    ID: string;
    Status: string;
  };
  created.push(r.ID);
  return r;
}

beforeAll(async () => {
  expect(ORTHANC, 'ORTHANC_URL (infra/env/local.env)').toMatch(/^http/);
  const sys = (await (await orthanc('GET', '/system')).json()) as { Version: string };
  expect(sys.Version).toBeTruthy();
});

afterAll(async () => {
  for (const id of created) await fetch(`${ORTHANC}/instances/${id}`, { method: 'DELETE' }).catch(() => undefined);
});

const salt = `orthanc-comparison-${newId('user')}`;
const ours = (data: Buffer) => new DcmjsDeidentifier().deidentify(data, (u) => remapUid(salt, u));

const files: [string, () => Buffer][] = [
  ['CT_small', () => sample('CT_small')],
  ['MR_small', () => sample('MR_small')],
  ['a generated CT instance with identifying attributes and references', () => seriesInstance(1)],
];

describe("our Basic Profile against Orthanc's 2021b anonymization", () => {
  for (const [name, make] of files) {
    it(`treats every Basic Profile attribute of ${name} like Orthanc, but for the listed differences`, async () => {
      const original = make();
      const source = await store(original);
      const theirs = Buffer.from(
        await (
          await orthanc('POST', `/instances/${source.ID}/anonymize`, JSON.stringify({ DicomVersion: '2021b' }))
        ).arrayBuffer(),
      );
      const before = dump(original);
      const a = dump(ours(original));
      const b = dump(theirs);
      const listed: string[] = [];
      let compared = 0;
      for (const path of Object.keys(before.elements)) {
        const tag = path.slice(-8);
        if (path.includes('/') || !BASIC_PROFILE.actionFor(tag)) continue; // top level, listed in the table
        const x = outcome(before, a, path);
        const y = outcome(before, b, path);
        const known = expectedDifference(tag);
        const was = before.elements[path]!;
        compared++;
        if (!known) {
          expect(x, `${tag} (${BASIC_PROFILE.actionFor(tag)}): ours ${x}, Orthanc ${y}`).toBe(y);
          if (resolve(BASIC_PROFILE.actionFor(tag)!) === 'X') expect(x, `${tag} removed`).toBe('removed');
        } else if ((was.value ?? '') !== '' || (was.items ?? 0) > 0) {
          // An attribute already empty in the original has nothing to differ on.
          expect({ tag, ours: x, orthanc: y }).toEqual({ tag, ours: known.ours, orthanc: known.orthanc });
          listed.push(tag);
        }
      }
      expect(compared).toBeGreaterThan(10);
      if (name.startsWith('a generated')) expect(listed).toEqual(['00081140', '00100010', '00100020', '00120010']);
      // Both: no private attributes, the same frames, the identity marked removed.
      expect(a.private).toEqual([]);
      expect(b.private).toEqual([]);
      expect(a.frames).toEqual(before.frames);
      expect(b.frames).toEqual(before.frames);
      expect(a.elements['00120062']?.value).toBe('YES');
      expect(b.elements['00120062']?.value).toBe('YES');
    });
  }

  it('has its output accepted by Orthanc (Success), parsed, and displayed as a preview', async () => {
    for (const [, make] of files) {
      const mine = ours(make());
      const r = await store(mine);
      expect(r.Status).toBe('Success');
      const tags = (await (await orthanc('GET', `/instances/${r.ID}/simplified-tags`)).json()) as Record<
        string,
        string
      >;
      expect(tags.PatientIdentityRemoved).toBe('YES');
      expect(tags.StudyInstanceUID).toMatch(/^2\.25\.\d+$/);
      expect(tags.PatientName ?? '').toBe('');
      const png = Buffer.from(await (await orthanc('GET', `/instances/${r.ID}/preview`)).arrayBuffer());
      const meta = await sharp(png).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width).toBe(Number(tags.Columns));
      expect(meta.height).toBe(Number(tags.Rows));
    }
  });
});

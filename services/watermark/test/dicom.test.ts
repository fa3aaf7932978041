import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventHandler } from '@medvault/common/bus';
import type { Envelope } from '@medvault/common/events';
import { newId } from '@medvault/common/ids';
import { type BusTap, openBusTap, repoRoot, serviceEnv } from '@medvault/common/testing';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DcmjsCodec } from '../src/adapters/dicom-codec.js';
import { loadServiceConfig } from '../src/config.js';
import { buildDeps, type Deps } from '../src/deps.js';
import { parseMetadataDescription } from '../src/domain/rendition.js';
import { buildHandlers } from '../src/messaging/handlers.js';
import { type CleanData, type Clients, cleanEvent, clientsAs, readDecrypted, seedClean } from './support.js';

// pydicom's bundled samples, copied by scripts/dicom-samples.sh (run by npm test).
const SAMPLES = join(repoRoot, '.local/data/dicom');
const sample = (name: string) => readFileSync(join(SAMPLES, `${name}.dcm`));

/** The same header read by an independent parser (pydicom, installed by infra/install.sh). */
function pydicomHeader(name: string): Record<string, string | number | null> {
  const script = `
import json, sys, pydicom
d = pydicom.dcmread(sys.argv[1], stop_before_pixels=True)
g = lambda k: (str(d.get(k)) if d.get(k) not in (None, '') else None)
print(json.dumps({"study": g("StudyInstanceUID"), "series": g("SeriesInstanceUID"), "sop": g("SOPInstanceUID"),
  "modality": g("Modality"), "date": g("StudyDate"), "description": g("StudyDescription"),
  "rows": int(d.Rows), "columns": int(d.Columns), "frames": int(d.get("NumberOfFrames") or 1)}))`;
  const out = execFileSync(join(repoRoot, '.local/venv/bin/python'), ['-c', script, join(SAMPLES, `${name}.dcm`)]);
  return JSON.parse(out.toString());
}

let deps: Deps;
let files: Clients;
let admin: Clients;
let tap: BusTap;
let handle: (e: Envelope<'file.clean'>) => Promise<void>;

beforeAll(async () => {
  deps = buildDeps(loadServiceConfig(serviceEnv('watermark', { LOG_LEVEL: 'silent' })));
  const h = buildHandlers(deps)['file.clean'] as EventHandler<'file.clean'>;
  handle = (e) => h(e, { logger: deps.logger, receiveCount: 1 });
  files = clientsAs('files');
  admin = clientsAs('provisioner');
  tap = await openBusTap(['file.processed']);
});

afterAll(async () => {
  await tap?.close();
  files?.close();
  admin?.close();
  await deps?.close();
});

async function processed(data: Buffer, opts: { ownerId?: string; patientId?: string } = {}) {
  const d = await seedClean(files, data, 'application/dicom', opts);
  await handle(cleanEvent(d));
  const e = await tap.waitFor('file.processed', (x) => x.data.fileId === d.fileId);
  return { d, e: e.data };
}

async function previewOf(
  d: CleanData,
  e: { derivatives: { kind: string; bucket: string; key: string; sha256?: string }[] },
) {
  const p = e.derivatives.find((x) => x.kind === 'preview');
  expect(p, 'a preview derivative').toBeDefined();
  expect(p!.key).toBe(`derivatives/${d.fileId}/g1/preview.png`);
  const bytes = await readDecrypted(admin, p!.bucket, p!.key, { fileId: d.fileId, ownerId: d.ownerId });
  // Issue 18: the event names the preview's hash, so files need not read it back to hash it.
  expect(p!.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  return bytes;
}

describe('DICOM files', () => {
  for (const name of ['CT_small', 'MR_small']) {
    it(`indexes the ${name} header exactly as pydicom reads it`, async () => {
      const want = pydicomHeader(name);
      const { e } = await processed(sample(name));
      expect(e.dicom).toMatchObject({
        studyInstanceUid: want.study,
        seriesInstanceUid: want.series,
        sopInstanceUid: want.sop,
        modality: want.modality,
        studyDate: `${String(want.date).slice(0, 4)}-${String(want.date).slice(4, 6)}-${String(want.date).slice(6, 8)}`,
        rows: want.rows,
        columns: want.columns,
        frames: want.frames,
      });
      if (want.description) expect(e.dicom?.studyDescription).toBe(want.description);
    });
  }

  it('serves a preview PNG of the CT frame that decodes, carries the watermark and the hash, and leaves the original byte-exact', async () => {
    const original = sample('CT_small');
    const { d, e } = await processed(original);
    const png = await previewOf(d, e);
    const meta = await sharp(png).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 128, height: 128 });
    // The watermark: the preview differs from the plain windowed frame on a visible share of pixels.
    const plain = await new DcmjsCodec().parse(original).renderPng(0);
    const a = await sharp(png).removeAlpha().raw().toBuffer();
    const b = await sharp(plain).removeAlpha().raw().toBuffer();
    let changed = 0;
    for (let i = 0; i < a.length; i += 3) if (Math.abs((a[i] ?? 0) - (b[i] ?? 0)) > 16) changed++;
    expect(changed / (a.length / 3)).toBeGreaterThan(0.02);
    expect(parseMetadataDescription(meta.exif?.toString('latin1') ?? '')).toEqual({
      fileId: d.fileId,
      sha256: d.sha256,
    });
    const stored = await readDecrypted(admin, d.bucket, d.key, { fileId: d.fileId, ownerId: d.ownerId });
    expect(stored.equals(original)).toBe(true);
  });

  for (const name of ['MR_small_RLE', 'MR_small_jp2klossless', 'MR_small_jpeg_ls_lossless', 'SC_rgb_jpeg_dcmtk']) {
    it(`renders a preview of the compressed sample ${name}`, async () => {
      const { d, e } = await processed(sample(name));
      const meta = await sharp(await previewOf(d, e)).metadata();
      expect(meta.format).toBe('png');
      expect([meta.width, meta.height]).toEqual([e.dicom?.columns, e.dicom?.rows]);
    });
  }

  it('flags a file whose DICOM patient differs from the one this patient already has, and not a matching one', async () => {
    const patientId = newId('user');
    const first = await processed(sample('CT_small'), { patientId });
    const same = await processed(sample('CT_small'), { patientId });
    const other = await processed(sample('MR_small'), { patientId });
    expect(first.e.dicom?.patientMismatch).toBe(false);
    expect(same.e.dicom?.patientMismatch).toBe(false);
    expect(other.e.dicom?.patientMismatch).toBe(true);
  });

  it('gives a file that only claims to be DICOM no index and no preview, and still verifies it', async () => {
    const { d, e } = await processed(Buffer.from('not a dicom file at all, no preamble'));
    expect(e).toMatchObject({ sha256: d.sha256, sha256Verified: true, derivatives: [] });
    expect(e.dicom).toBeUndefined();
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call } from './client.js';

/** DICOMweb helpers of the e2e suite (issue 17): pydicom's samples, QIDO through the gateway. */
export const SAMPLES = join(import.meta.dirname, '../../.local/data/dicom');
export const sample = (name: string) => readFileSync(join(SAMPLES, name));

type Dataset = Record<string, { vr: string; Value?: unknown[] }>;
export const firstValue = (ds: Dataset, tag: string) => ds[tag]?.Value?.[0];

/** QIDO-RS through the gateway as `token`: the datasets found. */
export async function qido(token: string, path: string): Promise<Dataset[]> {
  const r = await call('GET', `/dicomweb/${path}`, { token, headers: { accept: 'application/dicom+json' } });
  if (r.status !== 200) throw new Error(`QIDO ${path}: ${r.status} ${r.raw.toString().slice(0, 200)}`);
  return JSON.parse(r.raw.toString('utf8')) as Dataset[];
}

/** Polls QIDO-RS until the instance is searchable (scanned, released and indexed). */
export async function untilFound(token: string, sopInstanceUid: string, timeoutMs = 90_000): Promise<Dataset> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [found] = await qido(token, `instances?SOPInstanceUID=${sopInstanceUid}`);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`instance ${sopInstanceUid} never became searchable`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

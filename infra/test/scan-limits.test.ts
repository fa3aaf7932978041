// Issue 17: a 250 MB study was accepted (202) and then stayed scan_failed for ever, because clamd's
// stream limit (200M) was far below the upload limit (2 GiB). The limits live in four places
// (gateway body limit, files upload limit, scanner limits, clamd.conf); this pins them together.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MiB = 1024 * 1024;
const root = join(import.meta.dirname, '../..');
const clamdConf = readFileSync(join(root, 'infra/clamav/clamd.conf.template'), 'utf8');
const stackScript = readFileSync(join(root, 'infra/stack.sh'), 'utf8');

type Schema = { properties: Record<string, unknown> };
/** A service's config schema, loaded at run time: the services are other workspaces (own rootDir). */
async function schemaOf(service: string): Promise<Schema> {
  const mod: { ConfigSchema: Schema } = await import(join(root, 'services', service, 'src/config.ts'));
  return mod.ConfigSchema;
}
const FilesConfig = await schemaOf('files');
const GatewayConfig = await schemaOf('gateway');
const ScannerConfig = await schemaOf('scanner');

function defaultOf(schema: Schema, key: string): number {
  const v = (schema.properties[key] as { default?: unknown } | undefined)?.default;
  if (typeof v !== 'number') throw new Error(`${key} has no numeric default`);
  return v;
}

/** clamd SIZE values ("2047M"): the template's literal or, for @STREAM_MAX@, stack.sh's default. */
function clamdBytes(option: string): number {
  const raw = clamdConf.match(new RegExp(`^${option} (\\S+)$`, 'm'))?.[1];
  const value = raw === '@STREAM_MAX@' ? stackScript.match(/CLAMD_STREAM_MAX_LENGTH:-(\w+)\}/)?.[1] : raw;
  const m = value?.match(/^(\d+)([KM]?)$/);
  if (!m) throw new Error(`${option}: cannot read ${value}`);
  return Number(m[1]) * (m[2] === 'M' ? MiB : m[2] === 'K' ? 1024 : 1);
}

describe('scan limits agree with the upload limit', () => {
  const upload = defaultOf(FilesConfig, 'MAX_UPLOAD_BYTES');
  const scan = defaultOf(ScannerConfig, 'SCAN_MAX_BYTES');
  const expanded = defaultOf(ScannerConfig, 'ARCHIVE_MAX_EXPANDED_BYTES');

  it('lets the scanner stream every upload the files service accepts', () => {
    expect(scan).toBeGreaterThanOrEqual(upload);
  });

  it('keeps clamd stream and file limits at least as large as the scanner limit, below clamd cap of 2 GiB', () => {
    expect(clamdBytes('StreamMaxLength')).toBeGreaterThanOrEqual(scan);
    expect(clamdBytes('MaxFileSize')).toBeGreaterThanOrEqual(scan);
    // clamd silently caps MaxFileSize at 2 GiB - 3 bytes (its log: "File size limit set to 2147483645").
    expect(clamdBytes('MaxFileSize')).toBeLessThan(2 * 1024 * MiB);
  });

  it('gives clamd room for an archive plus everything the scanner lets it expand to', () => {
    expect(clamdBytes('MaxScanSize')).toBeGreaterThanOrEqual(scan + expanded);
    expect(expanded).toBeGreaterThanOrEqual(upload);
  });

  it('lets a whole-size upload through the gateway body limit', () => {
    expect(defaultOf(GatewayConfig, 'UPLOAD_BODY_LIMIT_BYTES')).toBeGreaterThan(upload);
  });

  it('waits for clamd verdicts as long as clamd may scan', () => {
    const maxScanTime = Number(clamdConf.match(/^MaxScanTime (\d+)$/m)?.[1]);
    expect(defaultOf(ScannerConfig, 'CLAMD_SCAN_TIMEOUT_MS')).toBeGreaterThanOrEqual(maxScanTime);
  });
});

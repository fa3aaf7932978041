import { describe, expect, it } from 'vitest';
import { databaseAgeSeconds, decide, decideAll, parseScanReply, parseVersion } from './verdict.js';

describe('clamd reply interpretation', () => {
  it('reads "stream: OK" as clean', () => {
    expect(decide(parseScanReply('stream: OK\0'), 'block')).toEqual({ verdict: 'clean', signatures: [] });
  });

  it('reads a FOUND line as infected with the signature name', () => {
    const d = decide(parseScanReply('stream: Eicar-Test-Signature.UNOFFICIAL FOUND\0'), 'block');
    expect(d).toEqual({ verdict: 'infected', signatures: ['Eicar-Test-Signature.UNOFFICIAL'] });
  });

  it('treats an encrypted archive as an error under the block policy, never as clean', () => {
    const d = decide(parseScanReply('stream: Heuristics.Encrypted.Zip FOUND'), 'block');
    expect(d.verdict).toBe('error');
    expect(d.error).toMatch(/unscannable/);
  });

  it('lets an unscannable file pass only when the policy says allow', () => {
    expect(decide(parseScanReply('stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND'), 'allow').verdict).toBe(
      'clean',
    );
  });

  it('keeps infected when a real signature accompanies an unscannable marker', () => {
    const d = decide({ kind: 'found', signatures: ['Heuristics.Encrypted.Zip', 'Win.Trojan.X'] }, 'allow');
    expect(d.verdict).toBe('infected');
  });

  it('maps a clamd ERROR reply to an error verdict', () => {
    const d = decide(parseScanReply('INSTREAM size limit exceeded. ERROR\0'), 'block');
    expect(d).toMatchObject({ verdict: 'error', error: 'INSTREAM size limit exceeded.' });
  });

  it('never reads an unexpected reply as clean', () => {
    expect(decide(parseScanReply('UNKNOWN COMMAND'), 'allow').verdict).toBe('error');
    expect(decide(parseScanReply(''), 'allow').verdict).toBe('error');
  });
});

describe('clamd version', () => {
  it('parses engine, database version and date', () => {
    const v = parseVersion('ClamAV 1.4.6/27500/Sun Nov 22 09:00:00 2026\0');
    expect(v).toEqual({ engine: 'ClamAV 1.4.6', databaseVersion: '27500', databaseDate: '2026-11-22T09:00:00.000Z' });
    expect(databaseAgeSeconds(v, new Date('2026-11-22T10:00:00Z'))).toBe(3600);
  });

  it('reports database version 0 and no age when clamd has no official database', () => {
    const v = parseVersion('ClamAV 1.4.6\0');
    expect(v).toEqual({ engine: 'ClamAV 1.4.6', databaseVersion: '0' });
    expect(databaseAgeSeconds(v, new Date())).toBeUndefined();
  });
});

describe('combining replies and archive findings', () => {
  const ok = 'stream: OK';
  const broken = { kind: 'broken' as const, code: 'MedVault.Archive.Mismatch', message: 'names differ' };
  const encrypted = { kind: 'unscannable' as const, code: 'MedVault.Archive.Encrypted', message: 'encrypted' };

  it('is clean only when every reply is OK and nothing was found', () => {
    expect(decideAll({ replies: [ok, ok], findings: [] }, 'block')).toEqual({ verdict: 'clean', signatures: [] });
    expect(decideAll({ replies: [], findings: [] }, 'allow').verdict).toBe('error');
  });

  it('reports malware found in any member as infected, even next to archive findings', () => {
    const d = decideAll(
      { replies: [ok, 'stream: Medvault-Test-Malware.UNOFFICIAL FOUND'], findings: [broken] },
      'block',
    );
    expect(d).toEqual({ verdict: 'infected', signatures: ['Medvault-Test-Malware.UNOFFICIAL', broken.code] });
  });

  it('refuses a broken archive whatever the unscannable policy', () => {
    const d = decideAll({ replies: [ok], findings: [broken] }, 'allow');
    expect(d).toMatchObject({ verdict: 'error', signatures: [broken.code] });
    expect(d.error).toMatch(/archive refused/);
  });

  it('leaves encrypted members and limits to the unscannable policy', () => {
    expect(decideAll({ replies: [ok], findings: [encrypted] }, 'block').verdict).toBe('error');
    expect(decideAll({ replies: [ok], findings: [encrypted] }, 'allow').verdict).toBe('clean');
  });

  it('turns any clamd error reply into an error', () => {
    expect(decideAll({ replies: [ok, 'INSTREAM size limit exceeded. ERROR'], findings: [] }, 'allow').verdict).toBe(
      'error',
    );
  });
});

describe('DICOM files with a TIFF preamble', () => {
  const tiff = 'stream: Heuristics.Broken.Media.TIFF.EOFReadingNumIFDDirectoryEntries FOUND';

  it('are clean when the only finding on the whole file is the broken TIFF of the preamble', () => {
    expect(decideAll({ replies: [tiff], findings: [], dicomPart10: true }, 'block')).toEqual({
      verdict: 'clean',
      signatures: [],
    });
  });

  it('stay unscannable when the file is not DICOM Part 10', () => {
    expect(decideAll({ replies: [tiff], findings: [] }, 'block').verdict).toBe('error');
  });

  it('stay unscannable for other broken media and infected for real signatures', () => {
    const png = 'stream: Heuristics.Broken.Media.PNG.EOFReadingChunk FOUND';
    expect(decideAll({ replies: [png], findings: [], dicomPart10: true }, 'block').verdict).toBe('error');
    const eicar = 'stream: Eicar-Test-Signature FOUND';
    expect(decideAll({ replies: [eicar], findings: [], dicomPart10: true }, 'block').verdict).toBe('infected');
  });

  it('are clean inside a study ZIP: the TIFF finding on the ZIP is forgiven when a DICOM member explains it', () => {
    const layers: ('zip' | 'dicom' | 'other')[] = ['zip', 'dicom', 'dicom'];
    const report = { replies: [tiff, tiff, 'stream: OK'], findings: [], layers };
    expect(decideAll(report, 'block')).toEqual({ verdict: 'clean', signatures: [] });
  });

  it('leave a ZIP unscannable when the broken TIFF is a member that is not DICOM', () => {
    const layers: ('zip' | 'dicom' | 'other')[] = ['zip', 'dicom', 'other'];
    expect(decideAll({ replies: [tiff, tiff, tiff], findings: [], layers }, 'block').verdict).toBe('error');
    expect(decideAll({ replies: [tiff, 'stream: OK', tiff], findings: [], layers }, 'block').verdict).toBe('error');
  });

  it('never forgive a ZIP whose members were not each scanned, nor a real signature in a member', () => {
    expect(decideAll({ replies: [tiff, tiff], findings: [], layers: ['other', 'dicom'] }, 'block').verdict).toBe(
      'error',
    );
    const eicar = 'stream: Eicar-Test-Signature FOUND';
    expect(
      decideAll({ replies: [tiff, tiff, eicar], findings: [], layers: ['zip', 'dicom', 'other'] }, 'block').verdict,
    ).toBe('infected');
  });
});

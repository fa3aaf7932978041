import { describe, expect, it } from 'vitest';
import {
  derivativeKey,
  metadataDescription,
  outputFor,
  parseMetadataDescription,
  watermarkLines,
  watermarkTile,
} from './rendition.js';

const sha = 'ab'.repeat(32);

describe('rendition rules', () => {
  it('keeps the image format, renders TIFF as PNG and skips non-images', () => {
    expect(outputFor('image/jpeg')?.format).toBe('jpeg');
    expect(outputFor('image/PNG')?.ext).toBe('png');
    expect(outputFor('image/webp; q=1')?.contentType).toBe('image/webp');
    expect(outputFor('image/tiff')).toMatchObject({ format: 'png', contentType: 'image/png' });
    expect(outputFor('application/pdf')).toBeUndefined();
    expect(outputFor('image/svg+xml')).toBeUndefined();
  });

  it('stores the rendition under the generation of the file', () => {
    expect(derivativeKey('fil_1', 3, 'png')).toBe('derivatives/fil_1/g3/watermarked.png');
  });

  it('round-trips the metadata description', () => {
    expect(parseMetadataDescription(`x ${metadataDescription('fil_ABC', sha)}\0`)).toEqual({
      fileId: 'fil_ABC',
      sha256: sha,
    });
  });

  it('says who owns the file, the hash prefix and the owner id', () => {
    expect(watermarkLines('MedVault Clinic', sha, 'usr_1')).toEqual([
      'Owned by MedVault Clinic',
      'sha256 abababababab',
      'owner usr_1',
    ]);
  });

  it('escapes the organisation name inside the SVG and never exceeds the image', () => {
    const t = watermarkTile(100, 40, watermarkLines('A & <B>', sha, 'usr_1'));
    expect(t.svg).toContain('A &amp; &lt;B&gt;');
    expect(t.width).toBeLessThanOrEqual(100);
    expect(t.height).toBeLessThanOrEqual(40);
  });
});

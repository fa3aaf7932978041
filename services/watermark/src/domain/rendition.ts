/**
 * Pure decisions about renditions: which files get one, in which format, what the visible
 * watermark says and how it is laid out, and what goes into the image metadata.
 */

export interface OutputFormat {
  format: 'jpeg' | 'png' | 'webp';
  contentType: string;
  ext: string;
}

const OUTPUTS: Record<string, OutputFormat> = {
  'image/jpeg': { format: 'jpeg', contentType: 'image/jpeg', ext: 'jpg' },
  'image/png': { format: 'png', contentType: 'image/png', ext: 'png' },
  'image/webp': { format: 'webp', contentType: 'image/webp', ext: 'webp' },
  // TIFF is rendered as PNG: lossless like TIFF, but every browser displays it.
  'image/tiff': { format: 'png', contentType: 'image/png', ext: 'png' },
};

/** The rendition format for a content type, or undefined when the file gets no rendition. */
export function outputFor(contentType: string): OutputFormat | undefined {
  return OUTPUTS[contentType.split(';')[0]?.trim().toLowerCase() ?? ''];
}

export function derivativeKey(fileId: string, generation: number, ext: string): string {
  return `derivatives/${fileId}/g${generation}/watermarked.${ext}`;
}

/** Written into EXIF IFD0 ImageDescription; read back by verification tools. */
export function metadataDescription(fileId: string, sha256: string): string {
  return `medvault:fileId=${fileId};sha256=${sha256}`;
}

export function parseMetadataDescription(text: string): { fileId: string; sha256: string } | undefined {
  const m = /medvault:fileId=([A-Za-z0-9_]+);sha256=([0-9a-f]{64})/.exec(text);
  return m ? { fileId: m[1] as string, sha256: m[2] as string } : undefined;
}

export function watermarkLines(organisation: string, sha256: string, ownerId: string): string[] {
  return [`Owned by ${organisation}`, `sha256 ${sha256.slice(0, 12)}`, `owner ${ownerId}`];
}

const escapeXml = (s: string) =>
  s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);

export interface Tile {
  svg: string;
  width: number;
  height: number;
}

/**
 * One tile of the watermark: the lines, rotated, light text with a dark outline (legible on
 * any background). The renderer repeats the tile over the whole image, so cropping a corner
 * or a border never removes it. Sizes follow the image so the text stays readable.
 */
export function watermarkTile(imageWidth: number, imageHeight: number, lines: string[]): Tile {
  const fontSize = Math.max(10, Math.min(64, Math.round(Math.min(imageWidth, imageHeight) / 24)));
  const angle = (ANGLE_DEG * Math.PI) / 180;
  const textWidth = Math.max(...lines.map((l) => l.length)) * fontSize * 0.62;
  const blockHeight = lines.length * fontSize * LINE;
  // Bounding box of the rotated text block plus a margin, so no line is cut at the tile edge.
  const fullWidth = Math.ceil(textWidth * Math.cos(angle) + blockHeight * Math.sin(angle) + fontSize * 2);
  const fullHeight = Math.ceil(textWidth * Math.sin(angle) + blockHeight * Math.cos(angle) + fontSize * 2);
  const width = Math.max(1, Math.min(imageWidth, fullWidth));
  const height = Math.max(1, Math.min(imageHeight, fullHeight));
  const cx = width / 2;
  const cy = height / 2;
  const y0 = cy - ((lines.length - 1) * fontSize * LINE) / 2;
  const text = lines
    .map((l, i) => `<text x="${cx}" y="${(y0 + i * fontSize * LINE).toFixed(1)}">${escapeXml(l)}</text>`)
    .join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<g transform="rotate(-${ANGLE_DEG} ${cx} ${cy})" font-family="DejaVu Sans, sans-serif" font-size="${fontSize}" ` +
    `font-weight="bold" text-anchor="middle" dominant-baseline="middle" fill="#ffffff" fill-opacity="0.6" stroke="#000000" ` +
    `stroke-opacity="0.6" stroke-width="${Math.max(1, fontSize / 16).toFixed(1)}">${text}</g></svg>`;
  return { svg, width, height };
}

const ANGLE_DEG = 25;
const LINE = 1.3;

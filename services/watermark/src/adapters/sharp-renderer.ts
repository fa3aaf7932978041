import type { Readable } from 'node:stream';
import { AppError } from '@medvault/common/errors';
import sharp, { type Metadata } from 'sharp';
import type { Renderer } from '../domain/ports.js';
import { watermarkTile } from '../domain/rendition.js';

// Bound memory: no libvips operation cache, one libvips thread per image; the consumer also
// handles one message at a time (batchSize 1), so at most one image is decoded per instance.
sharp.cache(false);
sharp.concurrency(1);

const refuse = (code: 'IMAGE_TOO_LARGE' | 'IMAGE_UNREADABLE', message: string, cause?: unknown) =>
  new AppError('UNPROCESSABLE', message, { cause, details: { code } });

/** Source failures pass through; sharp's own errors become refusals (its pixel limit included). */
function classify(e: unknown, what: string): AppError {
  if (AppError.is(e)) return e;
  if (/pixel limit/i.test((e as Error)?.message ?? ''))
    return refuse('IMAGE_TOO_LARGE', 'image exceeds the pixel limit', e);
  return refuse('IMAGE_UNREADABLE', what, e);
}

/** Rejects as soon as the source stream fails, so sharp never waits for bytes that won't come. */
function failureOf(source: Readable): Promise<never> {
  return new Promise((_, reject) =>
    source.once('error', (e) =>
      // Whatever breaks the source (S3 socket, KMS, a failed segment) is not the image's fault.
      reject(
        AppError.is(e)
          ? e
          : new AppError('DEPENDENCY_UNAVAILABLE', 'source stream failed', { cause: e, details: { dependency: 's3' } }),
      ),
    ),
  );
}

export class SharpRenderer implements Renderer {
  async render(source: Readable, req: Parameters<Renderer['render']>[1]) {
    const img = sharp({ limitInputPixels: req.maxPixels, failOn: 'error', sequentialRead: true });
    const failed = failureOf(source);
    failed.catch(() => undefined);
    source.pipe(img);
    const guard = <T>(p: Promise<T>) => Promise.race([p, failed]);
    try {
      let meta: Metadata;
      try {
        meta = await guard(img.metadata());
      } catch (e) {
        throw classify(e, 'image cannot be decoded');
      }
      const { width, height } = meta.autoOrient ?? meta;
      if (!width || !height) throw refuse('IMAGE_UNREADABLE', 'image has no dimensions');
      // Checked before any pixel is decoded: a few kB can declare billions of pixels.
      if (width * height > req.maxPixels) {
        throw refuse('IMAGE_TOO_LARGE', `image of ${width}x${height} pixels exceeds the limit of ${req.maxPixels}`);
      }
      const tile = watermarkTile(width, height, req.lines);
      let pipeline = img.rotate().composite([{ input: Buffer.from(tile.svg), tile: true, gravity: 'northwest' }]);
      if (!meta.hasAlpha) pipeline = pipeline.removeAlpha();
      try {
        const out = await guard(
          pipeline
            .withExif({ IFD0: { ImageDescription: req.description } })
            .toFormat(req.output.format)
            .toBuffer({ resolveWithObject: true }),
        );
        return { data: out.data, width: out.info.width, height: out.info.height };
      } catch (e) {
        throw classify(e, 'image cannot be rendered');
      }
    } finally {
      source.unpipe(img);
      source.destroy();
      img.destroy();
    }
  }
}

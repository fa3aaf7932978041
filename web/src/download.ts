import { api, must } from './api/client';

/**
 * Downloads a file through a short-lived signed link by plain navigation: the browser streams
 * the bytes to disk (and can resume with Range); the page never holds the content.
 */
export async function downloadFile(fileId: string, name: string): Promise<void> {
  const link = await must(
    api.POST('/v1/files/{id}/links', { params: { path: { id: fileId } }, body: { ttlSeconds: 300 } }),
  );
  const a = document.createElement('a');
  a.href = link.url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

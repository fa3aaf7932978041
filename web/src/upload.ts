import { withCsrf } from './api/client';

export interface Progress {
  loaded: number;
  total: number;
  /** Seconds left at the average rate so far; undefined until there is a rate to go by. */
  secondsLeft: number | undefined;
}

/** Time left from the bytes sent so far and the time they took. */
export function secondsLeft(loaded: number, total: number, elapsedMs: number): number | undefined {
  if (loaded <= 0 || elapsedMs < 250 || total <= loaded) return loaded >= total && total > 0 ? 0 : undefined;
  const rate = loaded / (elapsedMs / 1000);
  return Math.ceil((total - loaded) / rate);
}

export function formatSeconds(s: number | undefined): string {
  if (s === undefined) return 'estimating…';
  if (s < 60) return `${s} s left`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s left` : `${Math.floor(m / 60)} h ${m % 60} min left`;
}

export interface UploadHandle {
  done: Promise<{ id: string; status: string; duplicate?: boolean }>;
  cancel: () => void;
}

/**
 * Uploads one file as multipart/form-data with XMLHttpRequest (fetch reports no upload
 * progress). The browser streams the File from disk: the page never holds its bytes.
 */
export function uploadFile(
  file: File,
  onProgress: (p: Progress) => void,
  fields: Record<string, string> = {},
): UploadHandle {
  const xhr = new XMLHttpRequest();
  const started = performance.now();
  const done = new Promise<{ id: string; status: string; duplicate?: boolean }>((resolve, reject) => {
    xhr.upload.onprogress = (e) => {
      const total = e.lengthComputable ? e.total : file.size;
      onProgress({ loaded: e.loaded, total, secondsLeft: secondsLeft(e.loaded, total, performance.now() - started) });
    };
    xhr.onload = () => {
      let body: { id?: string; status?: string; detail?: string; duplicate?: boolean } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: the status says enough
      }
      if (xhr.status >= 200 && xhr.status < 300 && body.id && body.status) {
        resolve({ id: body.id, status: body.status, ...(body.duplicate ? { duplicate: true } : {}) });
      } else reject(new Error(body.detail ?? `Upload failed (${xhr.status})`));
    };
    xhr.onerror = () => reject(new Error('Upload failed: the connection was lost'));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
  });
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', file, file.name);
  xhr.open('POST', '/v1/files');
  const headers = new Headers();
  withCsrf('POST', headers);
  headers.forEach((v, k) => {
    xhr.setRequestHeader(k, v);
  });
  xhr.send(form);
  return { done, cancel: () => xhr.abort() };
}

/**
 * A file sent as a request's raw body with upload progress (fetch can't report it, XMLHttpRequest can): the
 * session's CSRF token, JSON answer, and every failure an `ApiError` exactly as `request()` makes it.
 */
import { currentCsrfToken } from './client.js';
import { ApiError, errorFromAnswer } from './errors.js';

export function uploadFile<T>(path: string, file: Blob, onProgress: (sent: number, total: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path.startsWith('/') ? path : `/api/v1/${path}`);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    const csrf = currentCsrfToken();
    if (csrf !== undefined) xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK_ERROR', 'the master did not answer the upload'));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = xhr.responseText === '' ? undefined : JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status < 200 || xhr.status >= 300) {
        reject(errorFromAnswer(xhr.status, body, xhr.getResponseHeader('retry-after')));
      } else if (body === undefined) {
        reject(new ApiError(xhr.status, 'BAD_ANSWER', `the answer of POST ${path} is not JSON`));
      } else {
        resolve(body as T);
      }
    };
    xhr.send(file);
  });
}

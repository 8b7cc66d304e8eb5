export type UploadProgress = (loaded: number, total: number) => void;

/**
 * `fetch` for the SDK in browsers. Chromium streams request bodies only over HTTP/2 or HTTP/3, and
 * the SDK uploads attachments as a ReadableStream; over HTTP/1.1 (a plain `npm start`) such a fetch
 * never completes. Stream bodies are therefore collected and sent with XMLHttpRequest, whose upload
 * events give the real network progress. Every other request goes to the platform fetch untouched.
 */
export function xhrFetch(onUpload: UploadProgress): typeof fetch {
  return async (input, init) => {
    if (!(init?.body instanceof ReadableStream)) return globalThis.fetch(input, init);
    const parts: BlobPart[] = [];
    const reader = (init.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value as BlobPart);
    }
    const body = new Blob(parts);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url;
    return new Promise<Response>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(init.method ?? 'POST', url);
      xhr.responseType = 'arraybuffer';
      new Headers(init.headers).forEach((value, key) => xhr.setRequestHeader(key, value));
      xhr.upload.onprogress = (e) => onUpload(e.loaded, e.lengthComputable ? e.total : body.size);
      xhr.onload = () => {
        onUpload(body.size, body.size);
        const headers = new Headers();
        for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
          const i = line.indexOf(':');
          if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
        }
        // 204/304 responses may not carry a body.
        const payload = xhr.status === 204 || xhr.status === 304 ? null : (xhr.response as ArrayBuffer);
        resolve(new Response(payload, { status: xhr.status, statusText: xhr.statusText, headers }));
      };
      xhr.onerror = () => reject(new TypeError('Network error during upload'));
      xhr.onabort = () => reject(new DOMException('Upload aborted', 'AbortError'));
      init.signal?.addEventListener('abort', () => xhr.abort());
      xhr.send(body);
    });
  };
}

import type * as PdfJsModule from 'pdfjs-dist';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { FilePayload } from '../../../../shared/crypto/index.ts';
import { useChat } from '../app-context.ts';
import { useT } from '../i18n/i18n.ts';
import { ErrorBox, useAction } from './form.tsx';

/** Images shown as thumbnails (decoded by the browser from the decrypted bytes). */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const PDF_TYPE = 'application/pdf';
/** Larger files are previewed only on request (they must be downloaded and decrypted first). */
export const AUTO_PREVIEW_BYTES = 2 * 1024 * 1024;
const THUMB_PX = 240;

export function previewKind(file: Pick<FilePayload, 'mimeType'>): 'image' | 'pdf' | null {
  const type = file.mimeType.toLowerCase();
  return IMAGE_TYPES.has(type) ? 'image' : type === PDF_TYPE ? 'pdf' : null;
}

/**
 * A local preview of an attachment (docs/WEB.md "Previews"): the encrypted blob is the only thing fetched; it
 * is decrypted in memory, an image is shown through an object URL (revoked on unmount) and a PDF's first page
 * is rendered to a canvas by pdf.js, loaded on first use only, with its worker from our origin and without eval.
 */
export function FilePreview({ file }: { file: FilePayload }) {
  const chat = useChat();
  const t = useT('file-preview');
  const kind = previewKind(file);
  const [wanted, setWanted] = useState(file.size <= AUTO_PREVIEW_BYTES);
  const [url, setUrl] = useState<string | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [render, busy, error] = useAction(async () => {
    const bytes = await chat.client.downloadAttachment(file);
    if (kind === 'image') setUrl(URL.createObjectURL(new Blob([bytes as BlobPart], { type: file.mimeType })));
    else if (kind === 'pdf' && canvas.current) await renderFirstPage(bytes, canvas.current);
  });
  useEffect(() => {
    if (kind && wanted) void render();
  }, [wanted]);
  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);
  if (!kind) return null;
  return (
    <div class="file-preview" data-testid="file-preview" data-kind={kind}>
      {!wanted && (
        <button type="button" class="secondary" onClick={() => setWanted(true)}>
          {t('show')}
        </button>
      )}
      {wanted && busy && <span class="meta">{t('loading')}</span>}
      {kind === 'image' && url && <img src={url} alt={t('imageAlt', { name: file.name })} data-testid="image-preview" />}
      {kind === 'pdf' && wanted && <canvas ref={canvas} role="img" aria-label={t('pdfAlt', { name: file.name })} data-testid="pdf-preview" />}
      <ErrorBox error={error} />
    </div>
  );
}

type PdfJs = typeof PdfJsModule;
let pdfjs: Promise<PdfJs> | null = null;

/** pdf.js and its worker, once, on the first PDF preview (never before: it is a separate chunk). */
function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= Promise.all([import('pdfjs-dist'), import('pdfjs-dist/build/pdf.worker.min.mjs?url')]).then(([lib, worker]) => {
    lib.GlobalWorkerOptions.workerSrc = (worker as { default: string }).default;
    return lib;
  });
  return pdfjs;
}

async function renderFirstPage(bytes: Uint8Array, canvas: HTMLCanvasElement): Promise<void> {
  const lib = await loadPdfJs();
  // No eval (CSP), no scripting, no network: fonts, CMaps and images come from the document or not at all.
  const doc = await lib.getDocument({ data: bytes.slice(), isEvalSupported: false, enableXfa: false, disableAutoFetch: true, disableStream: true, stopAtErrors: false }).promise;
  try {
    const page = await doc.getPage(1);
    const base = page.getViewport({ scale: 1 });
    const viewport = page.getViewport({ scale: Math.min(2, THUMB_PX / base.width) * (globalThis.devicePixelRatio || 1) });
    canvas.width = Math.ceil(viewport.width);
    canvas.height = Math.ceil(viewport.height);
    canvas.style.width = `${Math.ceil(viewport.width / (globalThis.devicePixelRatio || 1))}px`;
    await page.render({ canvas, viewport }).promise;
  } finally {
    await doc.destroy();
  }
}

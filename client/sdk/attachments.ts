import { decryptAttachment, encryptAttachment, getSodium, toHex, type FilePayload } from '../../shared/crypto/index.ts';
import { api } from '../../shared/api/index.ts';
import type { Static } from 'typebox';
import type { AttachmentInfo } from '../../shared/schemas/channels.ts';
import { newId, type SdkContext } from './context.ts';

export type Progress = (loaded: number, total: number) => void;

export interface UploadOptions {
  name?: string;
  mimeType?: string;
  caption?: string;
  onProgress?: Progress;
  /** Bytes per streamed piece (progress granularity in Node, where the body is streamed). */
  chunkBytes?: number;
}

const STREAM_CHUNK = 64 * 1024;

/**
 * Encrypts locally (secretstream), uploads the ciphertext as an octet-stream body (streamed in Node when
 * progress is asked for; one Blob-like body in browsers, through XHR for progress) and
 * returns the `file` payload to send in a message: key, header and hash never reach the server
 * outside an encrypted envelope.
 */
export class AttachmentsApi {
  constructor(private readonly ctx: SdkContext) {}

  async upload(channelId: string, bytes: Uint8Array, opts: UploadOptions = {}): Promise<FilePayload> {
    const fileId = newId();
    const { ciphertext, secrets } = encryptAttachment(fileId, bytes);
    const total = ciphertext.length;
    opts.onProgress?.(0, total);
    let info: Static<typeof AttachmentInfo>;
    if (opts.onProgress && streamsRequestBodies()) {
      // Node: a streamed body, progress as the pieces are taken by the transport.
      const step = opts.chunkBytes ?? STREAM_CHUNK;
      const onProgress = opts.onProgress;
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= total) {
            controller.close();
            return;
          }
          const piece = ciphertext.subarray(sent, Math.min(total, sent + step));
          sent += piece.length;
          controller.enqueue(piece);
          onProgress(sent, total);
        },
      });
      info = await this.ctx.http.call(api.attachments.upload, { params: { id: channelId } }, { bytes: body });
    } else {
      // Browsers: one non-streamed body (Chromium streams request bodies only over HTTP/2+); with
      // `onProgress` the transport uses XHR upload events when it can.
      info = await this.ctx.http.call(api.attachments.upload, { params: { id: channelId } }, { bytes: ciphertext, ...(opts.onProgress ? { onUploadProgress: opts.onProgress } : {}) });
    }
    if (info.attachmentId !== serverBlobId(ciphertext)) {
      throw new Error(`uploadAttachment: server stored ${info.attachmentId}, expected the ciphertext's address`);
    }
    await rememberBlobId(this.ctx, secrets.hash, info.attachmentId);
    opts.onProgress?.(total, total);
    return {
      kind: 'file',
      fileId,
      name: opts.name ?? 'attachment',
      mimeType: opts.mimeType ?? 'application/octet-stream',
      size: secrets.size,
      key: secrets.key,
      header: secrets.header,
      hash: secrets.hash,
      ...(opts.caption ? { caption: opts.caption } : {}),
    };
  }

  /** Downloads by content hash, verifies the hash and every chunk, returns the plaintext. */
  async download(file: FilePayload, opts: { onProgress?: Progress } = {}): Promise<Uint8Array> {
    const id = (await blobIdOf(this.ctx, file.hash)) ?? toHex(file.hash);
    const ciphertext = await this.ctx.http.call(api.attachments.download, { params: { id } }, opts.onProgress ? { onProgress: opts.onProgress } : {});
    return decryptAttachment({ fileId: file.fileId, key: file.key, header: file.header, hash: file.hash, size: file.size }, ciphertext);
  }
}

/** Node's fetch streams request bodies over HTTP/1.1; browsers (Chromium) do not, so they get one body. */
function streamsRequestBodies(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string' && typeof XMLHttpRequest !== 'function';
}

/**
 * The server addresses blobs by plain BLAKE2b-256 of the ciphertext, not by the protocol's labelled
 * `hash` (PROTOCOL.md §9); the SDK maps one to the other (learned on upload and from received messages).
 */
export function serverBlobId(ciphertext: Uint8Array): string {
  return toHex(getSodium().crypto_generichash(32, ciphertext, null));
}

export async function rememberBlobId(ctx: SdkContext, protocolHash: Uint8Array, blobId: string): Promise<void> {
  await ctx.store.set(`blob:${toHex(protocolHash)}`, blobId);
}

/** A withdrawn file (PROTOCOL.md §9.3 C6): its blob is no longer addressed from this device. */
export async function forgetBlobId(ctx: SdkContext, protocolHash: Uint8Array): Promise<void> {
  await ctx.store.delete(`blob:${toHex(protocolHash)}`);
}

export async function blobIdOf(ctx: SdkContext, protocolHash: Uint8Array): Promise<string | undefined> {
  return ctx.store.get<string>(`blob:${toHex(protocolHash)}`);
}

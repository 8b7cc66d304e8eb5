import { Writable } from 'node:stream';

/** A pino destination for tests (makeApp({ logStream })): keeps every line, for asserting what was (not) logged. */
export class LogCapture extends Writable {
  chunks: string[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    cb();
  }
  get text(): string {
    return this.chunks.join('');
  }
}

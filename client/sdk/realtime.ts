import { io, type Socket } from 'socket.io-client';
import { REALTIME_PATH, type AckResult, type ClientToServerEvents, type ConnectErrorData, type ServerToClientEvents } from '../../shared/realtime.ts';
import { api } from '../../shared/api/index.ts';
import type { ErrorCode } from '../../shared/errors.ts';
import type { SendMessageBody, SendResult } from '../../shared/schemas/channels.ts';
import type { SdkContext } from './context.ts';
import { LiaisonApiError, NetworkError } from './errors.ts';
import type { FeedPipeline } from './sync.ts';
import type { ReceiptKind, Transport } from './transport.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface RealtimeOptions {
  ackTimeoutMs?: number;
  /** Refresh the access token when it expires within this margin before (re)connecting. */
  refreshMarginMs?: number;
  /** Wait before retrying a handshake the server refused for a reason other than the token (default 1 s). */
  retryDelayMs?: number;
}

/**
 * socket.io connection: `auth.token` is produced per (re)connect, refreshing the access token
 * first when it is (nearly) expired; each connect runs one sync from the stored cursor.
 */
export class RealtimeConnection implements Transport {
  private socket: ClientSocket | null = null;

  constructor(
    private readonly ctx: SdkContext,
    private readonly feed: FeedPipeline,
    private readonly http: Transport,
    private readonly opts: RealtimeOptions = {},
  ) {}

  get connected(): boolean {
    return !!this.socket?.connected;
  }

  async connect(): Promise<void> {
    if (this.socket) return;
    await this.freshToken();
    this.ctx.events.emit('connection', { state: 'connecting' });
    const socket: ClientSocket = io(this.ctx.http.baseUrl, {
      path: REALTIME_PATH,
      transports: ['websocket'],
      reconnectionDelay: 200,
      reconnectionDelayMax: 5000,
      auth: (cb) => {
        this.freshToken().then(
          () => cb({ token: this.ctx.http.tokens?.accessToken ?? '' }),
          () => cb({ token: '' }),
        );
      },
    });
    this.socket = socket;
    socket.on('feed', (item) => this.feed.push(item));
    socket.on('desk', (notice) => this.ctx.events.emit('desk', notice));
    socket.on('typing', (e) => {
      if (e.typing !== false) this.ctx.events.emit('typing', { channelId: e.channelId, officerId: e.officerId });
    });
    socket.on('connect', () => {
      this.ctx.events.emit('connection', { state: 'connected' });
      void this.feed.sync().catch(() => undefined);
    });
    socket.on('disconnect', (reason) => {
      this.ctx.events.emit('connection', { state: 'disconnected', reason });
      // A server-side disconnect is not retried by socket.io; reconnect with a fresh token.
      if (reason === 'io server disconnect' && this.socket === socket && this.ctx.http.tokens) socket.connect();
    });
    socket.on('session_ended', (e) => {
      this.ctx.events.emit('connection', { state: 'disconnected', reason: e.reason });
    });
    socket.on('connect_error', (err) => {
      // The middleware rejected the token or the session: refresh, which gets a new token or, when the
      // session is over (revoked, expired, account suspended), signs out and emits `signed_out`.
      // socket.io-client types `data` as any; the server sends ConnectErrorData.
      const code = (err as Error & { data?: Partial<ConnectErrorData> }).data?.code;
      if (code !== undefined && AUTH_CODES.includes(code) && this.ctx.http.tokens) {
        void this.ctx.http.refresh().catch(() => {
          socket.disconnect();
        });
      } else if (code !== undefined && !socket.active && this.socket === socket && this.ctx.http.tokens) {
        // Any other refusal by the server (`unavailable` from a node starting or losing its database,
        // `rate_limited`): socket.io does not retry a refused handshake by itself, so try again shortly.
        setTimeout(() => {
          if (this.socket === socket && !socket.connected && !socket.active) socket.connect();
        }, this.opts.retryDelayMs ?? 1_000);
      }
    });
    await new Promise<void>((resolve, reject) => {
      const onConnect = () => {
        socket.off('connect_error', onError);
        resolve();
      };
      const onError = (err: Error) => {
        if (!this.ctx.http.tokens) {
          socket.off('connect', onConnect);
          reject(new NetworkError(`connect: ${err.message}`, { cause: err }));
        }
      };
      socket.once('connect', onConnect);
      socket.on('connect_error', onError);
    });
  }

  disconnect(): void {
    const s = this.socket;
    this.socket = null;
    s?.removeAllListeners();
    s?.disconnect();
    this.ctx.events.emit('connection', { state: 'disconnected', reason: 'client' });
  }

  send(channelId: string, body: SendMessageBody): Promise<SendResult> {
    const s = this.socket;
    if (!s?.connected) return this.http.send(channelId, body);
    return this.emitWithAck<SendResult>((ack) => s.emit('send', { channelId, ...body }, ack));
  }

  /** When this device last said it was typing, per channel (PROTOCOL.md §9.3: at most once per 3 s). */
  private readonly typedAt = new Map<string, number>();

  typing(channelId: string): void {
    const s = this.socket;
    const now = Date.now();
    if (!s?.connected || now - (this.typedAt.get(channelId) ?? -Infinity) < TYPING_INTERVAL_MS) return;
    this.typedAt.set(channelId, now);
    s.emit('typing', { channelId });
  }

  receipt(channelId: string, kind: ReceiptKind, messageIds: string[]): Promise<{ stored: number }> {
    const s = this.socket;
    if (!s?.connected) return this.http.receipt(channelId, kind, messageIds);
    return this.emitWithAck<{ stored: number }>((ack) => s.emit('receipt', { channelId, kind, messageIds }, ack));
  }

  private emitWithAck<T>(emit: (ack: (res: AckResult<T>) => void) => void): Promise<T> {
    const timeout = this.opts.ackTimeoutMs ?? 10_000;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new NetworkError('socket: no acknowledgement')), timeout);
      emit((res) => {
        clearTimeout(timer);
        if (res.ok) resolve(res.data);
        // `status` is what HTTP would have answered; servers before it was sent are mapped from the code.
        else reject(new LiaisonApiError(typeof res.status === 'number' ? res.status : ackStatus(res.error.code), res.error.code, res.error.message));
      });
    });
  }

  private async freshToken(): Promise<void> {
    const t = this.ctx.http.tokens;
    if (!t) return;
    const margin = this.opts.refreshMarginMs ?? 30_000;
    if (!t.accessToken || t.accessTokenExpiresAt - margin <= this.ctx.now()) await this.ctx.http.refresh();
  }
}

/** A handshake refused for these codes is retried after a token refresh. */
const AUTH_CODES: readonly ErrorCode[] = ['invalid_token', 'unauthorized', 'session_expired', 'account_inactive'];
/** PROTOCOL.md §9.3 **Typing**: a client says it is typing at most once per 3 s per channel. */
export const TYPING_INTERVAL_MS = 3_000;

/** Acks from servers without `status`: map the common codes to the HTTP status they stand for. */
function ackStatus(code: string): number {
  if (code === 'not_found') return 404;
  if (code === 'rate_limited') return 429;
  if (code.endsWith('_error') || code === 'internal') return 500;
  if (code === 'invalid_token' || code === 'unauthorized') return 401;
  return 409;
}

/** HTTP fallback transport. */
export function httpTransport(ctx: SdkContext): Transport {
  return {
    send: (channelId, body) => ctx.http.call(api.messages.send, { params: { id: channelId }, body }),
    receipt: (channelId, kind, messageIds) => ctx.http.call(api.messages.recordReceipts, { params: { id: channelId }, body: { kind, messageIds } }),
  };
}

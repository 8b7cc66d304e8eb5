import nodemailer from 'nodemailer';
import type { ContentFreeNotification } from '../../shared/schemas/notifications.ts';
import type { DeliveryOutcome } from './push.ts';
import { mailContent, type MailContent } from './render.ts';

export interface MailOptions {
  /** SMTP_URL, e.g. smtp://user:pass@host:587 (a secret: kept inside the transport, never logged). */
  smtpUrl: string;
  from: string;
  publicUrl: string;
  timeoutMs: number;
}

type SmtpTransporter = ReturnType<typeof nodemailer.createTransport>;

/** E-mail over SMTP (nodemailer): a fixed, content-free sentence and a link to the item. */
export class MailTransport {
  private readonly transporter: SmtpTransporter;

  constructor(private readonly opts: MailOptions) {
    this.transporter = nodemailer.createTransport({
      url: opts.smtpUrl,
      connectionTimeout: opts.timeoutMs,
      greetingTimeout: opts.timeoutMs,
      socketTimeout: opts.timeoutMs,
      // nodemailer's own logger would print the SMTP dialogue (AUTH included).
      logger: false,
      debug: false,
    });
  }

  async send(to: string, n: ContentFreeNotification): Promise<DeliveryOutcome> {
    return this.sendContent(to, mailContent(n, this.opts.publicUrl));
  }

  /** A message rendered by render.ts (which takes ids and numbers only), e.g. a reachability report. */
  async sendContent(to: string, { subject, text }: MailContent): Promise<DeliveryOutcome> {
    try {
      await withTimeout(this.transporter.sendMail({ from: this.opts.from, to, subject, text }), this.opts.timeoutMs * 3);
      return { ok: true };
    } catch (err) {
      return { ok: false, error: mailFailure(err) };
    }
  }

  get publicUrl(): string {
    return this.opts.publicUrl;
  }

  close(): void {
    this.transporter.close();
  }
}

/** nodemailer's error code (ECONNECTION, EAUTH, EENVELOPE…) and SMTP reply code; never its message (it may quote the server). */
function mailFailure(err: unknown): string {
  if (err instanceof TimeoutError) return 'timeout';
  const e = err as { code?: unknown; responseCode?: unknown } | null;
  const code = typeof e?.code === 'string' && /^[A-Z_]{2,32}$/.test(e.code) ? e.code : 'error';
  return typeof e?.responseCode === 'number' ? `${code}_${e.responseCode}` : code;
}

class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** The three nodemailer timeouts bound each phase; this bounds the whole exchange. */
async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new TimeoutError('withTimeout: mail')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

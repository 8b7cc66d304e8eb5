import type { ReceiptStatus } from '../../../sdk/index.ts';
import { translatedLabels } from '../i18n/i18n.ts';

export type DeliveryState = 'sent' | 'delivered' | 'read' | 'acknowledged';

export interface RecipientState {
  officerId: string;
  state: DeliveryState;
  at: number | null;
}

export type RecipientRow = ReceiptStatus['recipients'][number];

export function recipientState(r: RecipientRow): RecipientState {
  if (r.acknowledged) return { officerId: r.officerId, state: 'acknowledged', at: r.acknowledged };
  if (r.read) return { officerId: r.officerId, state: 'read', at: r.read };
  if (r.delivered) return { officerId: r.officerId, state: 'delivered', at: r.delivered };
  return { officerId: r.officerId, state: 'sent', at: null };
}

/** Folds a live receipt into a recipient list (receipts may arrive before the status was fetched). */
export function applyReceipt(rows: RecipientRow[], r: { officerId: string; kind: 'delivered' | 'read' | 'acknowledged'; at: number }): RecipientRow[] {
  const existing = rows.find((x) => x.officerId === r.officerId);
  const base: RecipientRow = existing ?? { officerId: r.officerId, delivered: null, read: null, acknowledged: null };
  const next: RecipientRow = { ...base, [r.kind]: base[r.kind] ?? r.at };
  // Read implies delivered; acknowledged implies read.
  if (r.kind !== 'delivered') next.delivered ??= r.at;
  if (r.kind === 'acknowledged') next.read ??= r.at;
  return existing ? rows.map((x) => (x.officerId === r.officerId ? next : x)) : [...rows, next];
}

const ORDER: DeliveryState[] = ['sent', 'delivered', 'read', 'acknowledged'];

/** The weakest state across recipients (what "all" have reached), for a compact tick display. */
export function overallState(rows: RecipientRow[]): DeliveryState {
  if (rows.length === 0) return 'sent';
  return rows.map((r) => recipientState(r).state).reduce((a, b) => (ORDER.indexOf(a) <= ORDER.indexOf(b) ? a : b));
}

/** The delivery states in the reader's language (`message-item` namespace). */
export const STATE_LABEL: Readonly<Record<DeliveryState, string>> = translatedLabels('message-item', {
  sent: 'deliverySent',
  delivered: 'deliveryDelivered',
  read: 'deliveryRead',
  acknowledged: 'deliveryAcknowledged',
});

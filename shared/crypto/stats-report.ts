import { encodeFields, fromHex, utf8 } from './encoding.ts';
import { getSodium } from './sodium.ts';

/**
 * Statistics reports signed with the server's audit key (docs/STATS.md "Signed report"). The signature covers the
 * exact JSON text served as `report` (like the audit chain's stored details), so no canonical JSON is needed: a
 * verifier checks the bytes it received and only then parses them.
 */
export const STATS_REPORT_LABEL = 'liaison/stats-report/v1';

export interface SignedStatsReport {
  /** The report as JSON text: the signed bytes (UTF-8). */
  report: string;
  label: typeof STATS_REPORT_LABEL;
  algorithm: 'ed25519';
  /** Hex: Ed25519 over encodeFields(STATS_REPORT_LABEL, [utf8(report)]). */
  signature: string;
  /** Hex: the audit key (the key of GET /audit/head's signed heads). */
  publicKey: string;
}

export function statsReportBytes(report: string): Uint8Array {
  return encodeFields(STATS_REPORT_LABEL, [utf8(report)]);
}

/** True when `signed.report` is signed by `trustedPublicKey` (hex or bytes); false on any malformed input. */
export function verifyStatsReport(signed: Pick<SignedStatsReport, 'report' | 'signature'>, trustedPublicKey: Uint8Array | string): boolean {
  try {
    const key = typeof trustedPublicKey === 'string' ? fromHex(trustedPublicKey) : trustedPublicKey;
    return getSodium().crypto_sign_verify_detached(fromHex(signed.signature), statsReportBytes(signed.report), key);
  } catch {
    return false;
  }
}

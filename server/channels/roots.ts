import type { MembershipEvent } from '../../shared/crypto/index.ts';

/**
 * Chain verification (shared/crypto) looks agency roots up synchronously. The channels domain pins
 * the roots an event list needs before verifying it (KeysService.loadRoots); roots never change once
 * pinned, so the cache behind `ChainContext.agencyRoot` is always right for pinned agencies.
 */
export interface RootPins {
  loadRoots(agencyIds: Iterable<string>): Promise<void>;
}

/** Agencies whose roots verifying `events` needs: every certificate an event carries. */
export function certAgencies(events: readonly MembershipEvent[]): string[] {
  const ids = new Set<string>();
  for (const e of events) {
    if (e.member) ids.add(e.member.agencyId);
    if (e.cosignature) ids.add(e.cosignature.cert.agencyId);
  }
  return [...ids];
}

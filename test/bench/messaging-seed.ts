/**
 * Seeding for the messaging benches (test/world/seed.ts: two agencies under an active agreement,
 * enrolled officers with real keys, channels stored as the channels service stores them). The app is
 * closed afterwards; the benches serve the data directory from a separate server process.
 */
import { buildApp, type App } from '../../server/app.ts';
import {
  seedChannel as seedChannelInto,
  seedConfig,
  seedOfficers as seedOfficersInto,
  type SeedChannel,
  type SeedOfficer,
} from '../world/seed.ts';
import { messageEnvelope } from '../world/world.ts';

export type BenchOfficer = SeedOfficer;
export type BenchChannel = SeedChannel;

export interface Seeder {
  app: App;
  officers: BenchOfficer[];
  agencyA: string;
  agencyB: string;
  agreementId: string;
  close(): Promise<void>;
}

/** Provisions `officerCount` officers (alternating agencies A and B) on a fresh data directory. */
export async function seedOfficers(dataDir: string, officerCount: number): Promise<Seeder> {
  const app = await buildApp(seedConfig(dataDir), { logger: false });
  const seeded = await seedOfficersInto(app, officerCount, { agreementId: 'bench-mou', usernamePrefix: 'bench' });
  return { app, ...seeded, close: () => app.close() };
}

/** A cross-agency channel created by members[0] with every other member added (co-signed); see seedChannel. */
export function seedChannel(s: Seeder, id: string, members: BenchOfficer[]): BenchChannel {
  return seedChannelInto(s.app, s.agreementId, id, members);
}

/** ~1 KiB of text: the padded inner frame encrypts to 1,040 bytes of ciphertext. */
const TEXT = 'x'.repeat(900);

/** A real client envelope (libsodium, as the SDK makes it) in wire JSON. */
export function buildEnvelope(ch: BenchChannel, sender: BenchOfficer, messageId: string): Record<string, unknown> {
  return messageEnvelope(ch, sender, TEXT, { messageId, time: Date.now() });
}

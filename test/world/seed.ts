/**
 * Seeded networks for the fault suites and the benchmarks, built with World on the system clock:
 * two agencies under an active agreement, enrolled officers (real sessions through the API,
 * in-process), identity keys and certificates, and cross-agency channels stored as the channels
 * service stores them.
 */
import { buildApp, type App } from '../../server/app.ts';
import { systemClock } from '../../server/clock.ts';
import { defaultConfig, type AppConfig } from '../../server/config.ts';
import { World, type Channel, type Member } from './world.ts';

const PASSWORD = 'seeded network passphrase 1';

export interface SeedOfficer extends Member {
  /** The officer's access token from enrolment (seeded officers never sign in again). */
  accessToken: string;
}

export type SeedChannel = Channel<SeedOfficer>;

export interface SeededNetwork {
  officers: SeedOfficer[];
  channels: SeedChannel[];
  agreementId: string;
}

/** Config for seeding / in-process apps: cheap Argon2 and no throttles (everything comes from 127.0.0.1). */
export function seedConfig(dataDir: string, overrides: Partial<AppConfig> = {}): AppConfig {
  const base = defaultConfig({ dataDir, logLevel: 'silent', argon2: { memoryCost: 8_192, timeCost: 1, parallelism: 1 } });
  return {
    ...base,
    rateLimit: { ...base.rateLimit, max: 1_000_000 },
    login: { ...base.login, ipMaxPerWindow: 100_000, sourceMaxFailures: 100_000 },
    messaging: { ...base.messaging, retentionSweepMs: 0 },
    ...overrides,
  };
}

/** The seeding world of an app (system clock: the server checks TOTP codes against real time). */
export function seedWorld(app: App): World {
  return World.of(app, systemClock, { password: PASSWORD });
}

/**
 * Seeds `officerCount` officers (alternating agencies A and B, under an active agreement) with real
 * sessions, identity keys and certificates: everything a client needs to build valid envelopes.
 */
export async function seedOfficers(
  app: App,
  officerCount: number,
  opts: { agreementId: string; usernamePrefix: string },
): Promise<{ officers: SeedOfficer[]; agencyA: string; agencyB: string; agreementId: string }> {
  await app.ready();
  const w = seedWorld(app);
  const admin = await w.platform({ username: 'admin' });
  const A = await w.agency({ name: 'Policia Judiciaria', country: 'PT', admin: 'pt-admin', adminDisplayName: 'PT admin' });
  const B = await w.agency({ name: 'Guardia Civil', country: 'ES', admin: 'es-admin', adminDisplayName: 'ES admin' });
  w.root(A.id);
  w.root(B.id);
  const agreementId = w.agreement([A.id, B.id], { id: opts.agreementId, proposedBy: admin.id });
  const officers: SeedOfficer[] = [];
  const one = async (i: number) => {
    const account = await w.officer(i % 2 === 0 ? A : B, `${opts.usernamePrefix}${i}`, `Officer ${i}`);
    officers[i] = { ...w.keys(account), accessToken: account.tokens.accessToken };
  };
  for (let i = 0; i < officerCount; i += 8) await Promise.all(Array.from({ length: Math.min(8, officerCount - i) }, (_, k) => one(i + k)));
  return { officers, agencyA: A.id, agencyB: B.id, agreementId };
}

/** `seedOfficers` plus one cross-agency channel per entry of `channels` (officer indexes; the first creates it). */
export async function seedNetwork(dataDir: string, officerCount: number, channels: number[][], opts: { app?: App } = {}): Promise<SeededNetwork & { app: App }> {
  const app = opts.app ?? (await buildApp(seedConfig(dataDir), { logger: false }));
  const { officers, agreementId } = await seedOfficers(app, officerCount, { agreementId: 'faults-mou', usernamePrefix: 'officer' });
  const seeded = channels.map((idx, c) => seedChannel(app, agreementId, `faults-ch-${c}`, idx.map((i) => officers[i]!)));
  return { app, officers, channels: seeded, agreementId };
}

/** A case channel under the agreement, created by members[0] with every other member added (co-signed across agencies). */
export function seedChannel(app: App, agreementId: string, id: string, members: SeedOfficer[]): SeedChannel {
  const [creator, ...others] = members;
  return seedWorld(app).channel(creator!, others, { id, agreementId });
}

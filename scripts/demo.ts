/**
 * `npm run demo [-- --force] [-- --once]`: seeds a demo network into a fresh data directory
 * (DATA_DIR, default ./data-demo) through the production code paths — buildApp, the HTTP API and
 * the SDK (LiaisonClient) over a loopback socket — and prints how to sign in.
 *
 * The seeding leaves a living network: a PT–ES case channel where Ana Silva (PJ) sends a structured request,
 * Javier Moreno (GC) answers it, Ana shares a file and Javier's TLP:RED warning is acknowledged by Ana — real
 * end-to-end encrypted messages made by the SDK (the server stores ciphertext only).
 *
 * --once additionally plays a scripted exchange in that channel (text, attachment, read receipt, live) and
 * prints a one-line JSON summary as the last line of stdout; exit code 0 only if it all worked.
 * The text message contains $DEMO_MARKER when set.
 */
import fs from 'node:fs';
import path from 'node:path';
import { buildApp, type App } from '../server/app.ts';
import { ManualClock } from '../server/clock.ts';
import { loadConfig } from '../server/config.ts';
import { DB_FILE_NAME } from '../server/store/sqlite/client.ts';
import { dropSchema } from '../server/store/pg/client.ts';
import { nonEmptyTables } from '../server/store/pg/migrate-store.ts';
import type { ChannelInfo, LiaisonClient, ReceivedMessage } from '../client/sdk/index.ts';
import type { Receipt } from '../shared/schemas/channels.ts';
import {
  DAY_MS,
  activeAgreement,
  api,
  createAgency,
  createOfficer,
  initPlatform,
  listen,
  openCaseChannel,
  otpauthUri,
  signIn,
  totpCode,
  waitFor,
  type Creds,
  type Host,
} from '../test/world/network.ts';

const PASSPHRASE = 'liaison demo identity passphrase 2026';

interface Person {
  username: string;
  displayName: string;
  password: string;
}

const people = {
  platform: { username: 'platform.admin', displayName: 'Platform Administrator', password: 'amber lantern over quiet harbour 71' },
  pjAdmin: { username: 'pj.admin', displayName: 'Helena Marques (PJ admin)', password: 'cobalt ferry drifts past belem 48' },
  ana: { username: 'ana.silva', displayName: 'Ana Silva', password: 'granite owl watches douro bend 35' },
  gcAdmin: { username: 'gc.admin', displayName: 'Luis Ortega (GC admin)', password: 'saffron kite above toledo walls 62' },
  javier: { username: 'javier.moreno', displayName: 'Javier Moreno', password: 'velvet compass points to cadiz 19' },
  ncbAdmin: { username: 'ncb.lisbon.admin', displayName: 'Pedro Nunes (NCB admin)', password: 'silver tram climbs alfama hill 83' },
  rui: { username: 'rui.costa', displayName: 'Rui Costa', password: 'copper gull circles tagus pier 27' },
  fiuAdmin: { username: 'uif.admin', displayName: 'Isabel Rocha (UIF admin)', password: 'indigo ledger rests in porto vault 54' },
  marta: { username: 'marta.lopes', displayName: 'Marta Lopes', password: 'hazel lighthouse blinks at sagres 90' },
} satisfies Record<string, Person>;

const CASE = { title: 'Operation Atlantic Precursor', description: 'Joint PT-ES case: precursor shipments through Leixoes', caseRef: 'PJ-2026-0042' };

/**
 * The seeded case channel and its conversation, each message sent by the SDK (signed, encrypted for the channel's
 * epoch) and read back by the other side the way a client does: history, then an acknowledgement receipt.
 */
async function seedConversation(net: Parameters<typeof openCaseChannel>[0]): Promise<{ channel: ChannelInfo; messages: number }> {
  const { alice: ana, bob: javier } = net;
  const channel = await openCaseChannel(net, { ...CASE, policy: { minimum: 'TLP:GREEN', defaultCode: 'TLP:AMBER' } });
  const request = await ana.requests.send(channel.id, {
    template: 'eu-2023-977',
    urgency: 'non-urgent',
    purpose: 'Identify the consignee of precursor shipments from Leixoes to Algeciras (case PJ-2026-0042)',
    legalBasis: 'Directive (EU) 2023/977 Art. 4; PT-ES agreement on drug trafficking and precursors',
    dataCategories: ['company registration', 'customs declarations'],
    requestedInformation: 'Registered owner and customs history of the consignee "Transportes Meridiano SL" (Algeciras) since January 2026.',
    caseRef: CASE.caseRef,
  }, { handling: 'TLP:AMBER' });
  await javier.history(channel.id);
  await javier.requests.answer(channel.id, request.requestRef, {
    completeness: 'full',
    text: 'Transportes Meridiano SL is registered in Algeciras since 2019; its sole director is already known to UCO for cocaine imports. Customs lodged 14 declarations for it since January, 6 of them from Leixoes.',
    items: [{ text: 'Sole director: known to UCO (controlled delivery 2024)' }, { text: '6 declarations from Leixoes since January 2026, declared as "industrial solvents"' }],
  }, { handling: 'TLP:AMBER' });
  await ana.history(channel.id);
  const manifest = new TextEncoder().encode(['Bill of lading MSKU 771020 (extract)', 'Shipper: Quimicos do Norte Lda, Porto', 'Consignee: Transportes Meridiano SL, Algeciras', 'Goods: 24 drums, "industrial solvent" (declared)', 'Departure: Leixoes, Friday 06:00'].join('\n'));
  const file = await ana.uploadAttachment(channel.id, manifest, { name: 'MSKU-771020-bill-of-lading.txt', mimeType: 'text/plain' });
  await ana.send(channel.id, file, { handling: 'TLP:AMBER' });
  await ana.send(channel.id, { kind: 'text', text: 'Thank you. The manifest of the next container is attached: same consignee, leaves Leixoes on Friday.' }, { handling: 'TLP:AMBER' });
  const warning = await javier.send(
    channel.id,
    { kind: 'text', text: 'Do not approach the driver: he is a registered informant of UCO. Any contact goes through me. Not for further distribution.' },
    { handling: 'TLP:RED', ackRequired: true },
  );
  await ana.history(channel.id);
  await ana.acknowledge(channel.id, warning.messageId);
  return { channel, messages: 5 };
}

function fail(message: string, code = 2): never {
  process.stderr.write(`demo: ${message}\n`);
  process.exit(code);
}

/** Removes only what Liaison itself writes into a data directory. */
function wipe(dataDir: string): void {
  for (const name of [DB_FILE_NAME, `${DB_FILE_NAME}-wal`, `${DB_FILE_NAME}-shm`, 'blobs', 'secrets']) {
    fs.rmSync(path.join(dataDir, name), { recursive: true, force: true });
  }
}

async function contactPoint(host: Host, admin: Creds, body: Record<string, unknown>): Promise<boolean> {
  try {
    await api(host, 'POST', '/directory', { token: admin.accessToken, payload: body });
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const force = args.has('--force');
  const once = args.has('--once');
  const dataDir = path.resolve(process.env.DATA_DIR || './data-demo');
  const config = { ...loadConfig({ ...process.env, DATA_DIR: dataDir }), logLevel: 'silent' as const };
  const store = config.store;
  if (store.kind === 'postgres') {
    // The database is the schema (DATABASE_SCHEMA), not a file of the data directory.
    const schema = store.schema ?? 'public';
    const full = await nonEmptyTables(store.url, schema);
    if (full.length > 0) {
      if (!force) fail(`the PostgreSQL schema "${schema}" already contains a database (rows in ${full.join(', ')}); choose another DATABASE_SCHEMA or pass --force to replace it`);
      if (schema === 'public') fail('--force does not drop the public schema; choose another DATABASE_SCHEMA');
      await dropSchema(store.url, schema);
      wipe(dataDir);
    }
  } else if (fs.existsSync(path.join(dataDir, DB_FILE_NAME))) {
    if (!force) fail(`${dataDir} already contains a database (${DB_FILE_NAME}); choose another DATA_DIR or pass --force to replace it`);
    wipe(dataDir);
  }
  fs.mkdirSync(dataDir, { recursive: true });

  // Seeding uses its own clock, started in the past and moved one TOTP step per sign-in (codes are
  // single-use per step); it ends before the wall clock, so nothing seeded lies in the future.
  const clock = new ManualClock(Date.now() - 20 * 60_000);
  const app: App = await buildApp(config, { clock, logger: false });
  await app.ready();
  const host: Host = { app, clock, baseUrl: await listen(app) };
  const clients: LiaisonClient[] = [];
  try {
    const out = (s = '') => process.stdout.write(`${s}\n`);
    out(`Seeding a demo network into ${dataDir} (Argon2id: production parameters ${config.argon2.memoryCost} KiB, t=${config.argon2.timeCost}) …`);

    const platform = await initPlatform(host, { ...people.platform, country: 'FR' });
    const pj = await createAgency(host, platform, { name: 'Policia Judiciaria', country: 'PT', kind: 'police', admin: people.pjAdmin });
    const gc = await createAgency(host, platform, { name: 'Guardia Civil', country: 'ES', kind: 'police', admin: people.gcAdmin });
    const ncb = await createAgency(host, platform, { name: 'NCB Lisbon', country: 'PT', kind: 'ncb', admin: people.ncbAdmin });
    const fiu = await createAgency(host, platform, { name: 'Unidade de Informacao Financeira', country: 'PT', kind: 'fiu', sponsorAgencyId: ncb.agencyId, admin: people.fiuAdmin });
    // Extended access: the NCB grants its sponsored FIU money-laundering scope for 180 days.
    await api(host, 'POST', '/extended-access', { token: ncb.admin.accessToken, expect: 201, payload: { agencyId: fiu.agencyId, scope: ['money-laundering'], expiresAt: clock.now() + 180 * DAY_MS } });

    const ana = await createOfficer(host, pj.admin, people.ana);
    const javier = await createOfficer(host, gc.admin, people.javier);
    const rui = await createOfficer(host, ncb.admin, people.rui);
    const marta = await createOfficer(host, fiu.admin, people.marta);

    // Contact points, when this build has the directory (skipped silently otherwise).
    let contactPoints = 0;
    if ('directory' in app.ctx && app.ctx.directory) {
      const entries: [Creds, Record<string, unknown>][] = [
        [pj.admin, { title: 'PJ narcotics liaison desk', officerId: ana.id, specialisations: ['precursors'], languages: ['pt', 'en', 'es'], availability: { kind: '24/7' }, phone: '+351 21 864 1000' }],
        [gc.admin, { title: 'Guardia Civil UCO international desk', officerId: javier.id, specialisations: ['controlled-delivery'], languages: ['es', 'en'], availability: { kind: '24/7' }, phone: '+34 91 514 6000' }],
        [ncb.admin, { title: 'NCB Lisbon duty officer', officerId: rui.id, specialisations: [], languages: ['pt', 'en', 'fr'], availability: { kind: '24/7' }, phone: '+351 21 864 2000' }],
      ];
      // Tokens from enrolment are used while fresh: sign the admins in again for the directory.
      for (const [admin, body] of entries) {
        const fresh = await api<{ accessToken: string }>(host, 'POST', '/auth/login', { payload: { username: admin.username, password: admin.password, totp: totpCode(admin.totpSecret, clock.now()) } });
        clock.advance(30_000);
        if (await contactPoint(host, { ...admin, accessToken: fresh.accessToken }, body)) contactPoints++;
      }
    }

    // A 24/7 desk (issue 13, docs/DESKS.md): NCB Lisbon's drug-crime contact point, Rui on nights and the
    // NCB administrator (its supervisor) on days, Lisbon time; its directory entry is "available now"
    // whenever one of them is on duty, and a contact request to it pages whoever is.
    const ncbFresh = await api<{ accessToken: string }>(host, 'POST', '/auth/login', { payload: { username: ncb.admin.username, password: ncb.admin.password, totp: totpCode(ncb.admin.totpSecret, clock.now()) } });
    clock.advance(30_000);
    const { desk } = await api<{ desk: { id: string; name: string } }>(host, 'POST', '/desks', {
      token: ncbFresh.accessToken,
      expect: 201,
      payload: { name: 'NCB Lisbon 24/7 drug-crime desk', phone: '+351 21 864 2424', timeZone: 'Europe/Lisbon', specialisations: ['darknet-markets'], languages: ['pt', 'en', 'fr'], members: [rui.id, ncb.admin.id], supervisors: [ncb.admin.id] },
    });
    await api(host, 'PUT', `/desks/${desk.id}/rota`, {
      token: ncbFresh.accessToken,
      payload: {
        timeZone: 'Europe/Lisbon',
        weekly: [
          { officerId: rui.id, days: [1, 2, 3, 4, 5, 6, 7], start: '20:00', end: '08:00' },
          { officerId: ncb.admin.id, days: [1, 2, 3, 4, 5, 6, 7], start: '08:00', end: '20:00' },
        ],
        overrides: [],
      },
    });
    if (await contactPoint(host, { ...ncb.admin, accessToken: ncbFresh.accessToken }, { title: 'NCB Lisbon 24/7 drug-crime desk', deskId: desk.id, specialisations: ['darknet-markets'], languages: ['pt', 'en', 'fr'], availability: { kind: '24/7' }, phone: '+351 21 864 2424' })) contactPoints++;

    // Identities (sealed backups under PASSPHRASE), roots first, then certification.
    const sdk = async (c: Creds) => {
      const client = await signIn(host, c);
      clients.push(client);
      return client;
    };
    const pjAdminC = await sdk(pj.admin);
    const gcAdminC = await sdk(gc.admin);
    const ncbAdminC = await sdk(ncb.admin);
    const fiuAdminC = await sdk(fiu.admin);
    const anaC = await sdk(ana);
    const javierC = await sdk(javier);
    const ruiC = await sdk(rui);
    const martaC = await sdk(marta);
    for (const c of [pjAdminC, gcAdminC, ncbAdminC, fiuAdminC, anaC, javierC, ruiC, martaC]) await c.createIdentity(PASSPHRASE);
    for (const c of [pjAdminC, gcAdminC, ncbAdminC, fiuAdminC]) await c.certifyPending();
    const agreement = await activeAgreement(host, pjAdminC, gcAdminC, [pj.agencyId, gc.agencyId], ['drug-trafficking', 'precursors']);
    const ncbAgreement = await activeAgreement(host, ncbAdminC, gcAdminC, [ncb.agencyId, gc.agencyId], ['drug-trafficking', 'money-laundering']);

    // The conversation a new user finds at first sign-in (docs/REQUESTS.md for the request steps).
    const conversation = await seedConversation({ alice: anaC, bob: javierC, agreement });

    const accounts: [string, Creds][] = [
      ['platform admin (secretariat)', platform],
      ['Policia Judiciaria (PT) admin', pj.admin],
      ['Policia Judiciaria (PT) officer', ana],
      ['Guardia Civil (ES) admin', gc.admin],
      ['Guardia Civil (ES) officer', javier],
      ['NCB Lisbon (PT) admin', ncb.admin],
      ['NCB Lisbon (PT) officer', rui],
      ['UIF (PT, sponsored by NCB Lisbon) admin', fiu.admin],
      ['UIF (PT, sponsored by NCB Lisbon) officer', marta],
    ];
    out();
    out('Demo network:');
    out(`  agreements: Policia Judiciaria <-> Guardia Civil (${agreement.id}), NCB Lisbon <-> Guardia Civil (${ncbAgreement.id}), both active for 365 days`);
    out('  extended access: NCB Lisbon -> UIF, scope money-laundering, 180 days');
    out(`  desk: ${desk.name} (rota: Rui Costa 20:00-08:00, the NCB administrator 08:00-20:00, Europe/Lisbon, every day)`);
    out(`  contact points: ${'directory' in app.ctx ? contactPoints : 'directory not available in this build'}`);
    out(`  case channel "${CASE.title}" (Ana Silva, PJ <-> Javier Moreno, GC): ${conversation.messages} end-to-end encrypted messages — a request, its answer, a file, a TLP:RED warning acknowledged`);
    out();
    out('Sign in with (TOTP: 6 digits, 30 s, SHA-1; add the secret or the otpauth URI to an authenticator app):');
    for (const [role, c] of accounts) {
      out(`  ${role}`);
      out(`    username: ${c.username}`);
      out(`    password: ${c.password}`);
      out(`    TOTP secret: ${c.totpSecret}`);
      out(`    ${otpauthUri(c.username, c.totpSecret)}`);
    }
    out(`Identity passphrase (unlocks the sealed key backups of the agency and NCB/UIF accounts): ${PASSPHRASE}`);
    out();
    out('Start the server on this data directory:');
    out(`  DATA_DIR=${dataDir} npm start        (then open ${config.publicUrl})`);

    if (once) {
      const marker = process.env.DEMO_MARKER ?? '';
      for (const c of [anaC, javierC]) await c.connect();
      const channel = conversation.channel;
      // Only the messages sent below (connecting may replay the seeded conversation).
      const live: ReceivedMessage[] = [];
      const sentIds = new Set<string>();
      javierC.on('message', (m) => live.push(m));
      const got = () => live.filter((m) => sentIds.has(m.messageId));
      const receipts: Receipt[] = [];
      anaC.on('receipt', (r) => receipts.push(r));
      const text = `Container MSKU 771020 leaves Leixoes on Friday. ${marker}`.trim();
      const sent = await anaC.send(channel.id, { kind: 'text', text }, { handling: 'TLP:AMBER' });
      sentIds.add(sent.messageId);
      const fileBytes = new TextEncoder().encode(`Manifest PJ-2026-0042\n${marker}\n${'line of the bill of lading\n'.repeat(400)}`);
      const file = await anaC.uploadAttachment(channel.id, fileBytes, { name: 'manifest.txt', mimeType: 'text/plain' });
      sentIds.add((await anaC.send(channel.id, file, { handling: 'TLP:AMBER' })).messageId);
      await waitFor(() => got().length >= 2, 'javier receives both messages', 20_000);
      const first = got()[0]!.payload;
      const filePayload = got()[1]!.payload;
      if (first.kind !== 'text' || first.text !== text) throw new Error('the received text differs from the sent one');
      if (filePayload.kind !== 'file') throw new Error('expected a file');
      const downloaded = await javierC.downloadAttachment(filePayload);
      if (Buffer.compare(Buffer.from(downloaded), Buffer.from(fileBytes)) !== 0) throw new Error('the downloaded attachment differs');
      await javierC.markRead(channel.id, [sent.messageId]);
      await waitFor(() => receipts.find((r) => r.kind === 'read' && r.messageId === sent.messageId), 'read receipt', 20_000);
      const summary = {
        ok: true,
        dataDir,
        channelId: channel.id,
        agreementId: agreement.id,
        messages: got().length,
        attachmentBytes: downloaded.length,
        receipts: receipts.map((r) => ({ kind: r.kind, messageId: r.messageId })),
        markerSent: marker.length > 0,
        argon2: 'production',
      };
      out(JSON.stringify(summary));
    }
    if (clock.now() > Date.now()) throw new Error('the seeding clock ran ahead of the wall clock');
  } finally {
    for (const c of clients) c.disconnect();
    await app.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    // fetch's "fetch failed" says why only in its cause (connection refused, reset, timeout).
    let cause = '';
    for (let e: unknown = err instanceof Error ? err.cause : undefined; e instanceof Error; e = e.cause) cause += `: ${e.message}`;
    process.stdout.write(`${JSON.stringify({ ok: false, error: err instanceof Error ? `${err.message}${cause}` : String(err) })}\n`);
    process.exit(1);
  },
);

import path from 'node:path';
import { parseArgs } from 'node:util';
import { AGENCY_KINDS, ROLES, type AgencyKind, type Officer, type Role } from '../../shared/schemas/accounts.ts';
import type { Actor } from '../auth/actor.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { compareCounts, copySqliteToPostgres, MigrateStoreError } from '../store/pg/migrate-store.ts';

const USAGE = `Usage: npm run liaison -- <command> [options]

Commands:
  init [--username admin] [--display-name NAME] [--country FR] [--agency NAME]
        Create the first platform administrator on an empty data directory; prints a one-time enrolment link.
  agency create --name NAME --country CC --kind KIND [--sponsor AGENCY] --admin-username U --admin-name NAME
        Create an agency and its first agency administrator. KIND: ${AGENCY_KINDS.join(', ')}.
        The sponsor (an NCB) is given like AGENCY below.
  agency list
        List the agencies: id, country, kind, status and name.
  officer create --agency AGENCY --username U --name NAME [--role ${ROLES.join('|')}]
        Create an officer; prints a one-time enrolment link. AGENCY is the agency's id, its exact name,
        or a country code that names exactly one agency (see "agency list").
  officer list [--agency AGENCY]
        List the officers (of one agency, or of all): username, role, status, agency, name and id.
  officer link --officer OFFICER
        A new one-time enrolment link (link expired, authenticator lost: enrolling again replaces the password
        and the authenticator; a link issued before stops working).
        OFFICER is the officer's username or id (see "officer list").
  audit verify
        Recompute the audit hash chain and signed checkpoints and compare with the external heads file
        (AUDIT_HEADS_FILE, default DATA_DIR/audit-heads.log); exits 1 and names the first bad or missing event.
  migrate
        Apply pending database migrations.
  backup --out FILE
        Online, consistent copy of the database (safe while the server runs).
  migrate-store [--from DIR]
        Copy the SQLite database of DIR (default DATA_DIR) into the empty PostgreSQL schema DATABASE_SCHEMA
        (default public) of DATABASE_URL, then verify row counts per table, the audit chain and the key log
        on the copy; exits 1 on any mismatch, and refuses a target schema that already holds rows.

Options: --json prints machine-readable output. The data directory is DATA_DIR (default ./data).`;

/** The operator at the console acts with platform authority; audit events name it "system:cli". */
const CLI_ACTOR: Actor = { officerId: 'system:cli', agencyId: '', role: 'platform_admin', sessionId: 'cli', ip: null };

type Out = (human: string, data: unknown) => void;

function need(values: Record<string, string | boolean | undefined>, key: string): string {
  const v = values[key];
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${key} is required`);
  return v;
}

class UsageError extends Error {
  override name = 'UsageError';
}

/** `--agency` as an id, an exact name (case-insensitive) or a country code naming exactly one agency. */
async function resolveAgency(ctx: AppContext, given: string, option = 'agency'): Promise<string> {
  const agencies = await ctx.accounts.listAgencies();
  if (agencies.some((a) => a.id === given)) return given;
  const byName = agencies.filter((a) => a.name.toLowerCase() === given.toLowerCase());
  const matches = byName.length > 0 ? byName : agencies.filter((a) => a.country === given.toUpperCase());
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length > 1) {
    throw new UsageError(`--${option} "${given}" names ${matches.length} agencies (${matches.map((a) => a.name).join(', ')}); give the id from "agency list"`);
  }
  throw new UsageError(`--${option} "${given}" is no agency's id, name or country; "agency list" shows them`);
}

/** `--officer` as an id or a username (case-insensitive; usernames are unique). */
async function resolveOfficer(ctx: AppContext, given: string): Promise<Officer> {
  const officers = await allOfficers(ctx);
  const found = officers.find((o) => o.id === given) ?? officers.find((o) => o.username.toLowerCase() === given.toLowerCase());
  if (!found) throw new UsageError(`--officer "${given}" is no officer's id or username; "officer list" shows them`);
  return found;
}

async function allOfficers(ctx: AppContext, agencyIds?: string[]): Promise<Officer[]> {
  const ids = agencyIds ?? (await ctx.accounts.listAgencies()).map((a) => a.id);
  return (await Promise.all(ids.map((id) => ctx.accounts.listOfficers(CLI_ACTOR, id)))).flat();
}

/** Left-aligned columns under a header, two spaces apart (the last column is not padded). */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/**
 * `liaison migrate-store [--from DIR]`: copies DIR's SQLite database (default DATA_DIR) into the empty
 * schema DATABASE_SCHEMA of DATABASE_URL, then verifies the copy: rows per table, and on the target
 * the audit chain (with the data directory's signing key and heads file) and the key log. Exit 1 on
 * any mismatch. The data directory (secrets, blobs, heads file) is what the PostgreSQL nodes then use.
 */
async function migrateStore(from: string | undefined, out: Out): Promise<number> {
  const config = loadConfig({ ...process.env, STORE: 'postgres', ...(from ? { DATA_DIR: path.resolve(from) } : {}) });
  if (config.store.kind !== 'postgres') throw new Error('migrateStore: the target must be PostgreSQL');
  const { url } = config.store;
  const schema = config.store.schema ?? 'public';
  await copySqliteToPostgres(config.dataDir, url, schema, { refuseNonEmpty: true });
  const counts = await compareCounts(config.dataDir, url, schema);
  const ctx = await AppContext.create(config, { readonly: true });
  let audit;
  let keyLog;
  try {
    audit = await ctx.audit.verify();
    keyLog = await ctx.store.read((r) => ctx.keys.log.verify(r.keys));
  } finally {
    await ctx.close();
  }
  const countsOk = counts.every((c) => c.source === c.target);
  const ok = countsOk && audit.ok && keyLog.ok;
  const width = Math.max(5, ...counts.map((c) => c.table.length));
  const lines = [
    `${'table'.padEnd(width)}  ${'sqlite'.padStart(8)}  ${'postgres'.padStart(8)}`,
    ...counts.map((c) => `${c.table.padEnd(width)}  ${String(c.source).padStart(8)}  ${String(c.target).padStart(8)}${c.source === c.target ? '' : '  MISMATCH'}`),
    '',
    audit.ok
      ? `audit chain: OK (${audit.eventsChecked} events, ${audit.checkpointsChecked} signed checkpoints)`
      : `audit chain: BROKEN at event ${audit.problem?.seq}: ${audit.problem?.kind}: ${audit.problem?.message}`,
    keyLog.ok ? `key log: OK (${keyLog.entriesChecked === 0 ? 'empty' : `${keyLog.entriesChecked} entries, signed head verified`})` : `key log: BROKEN: ${keyLog.problem}`,
    '',
    ok
      ? `Copied ${path.join(config.dataDir, 'liaison.db')} into schema "${schema}"; start the nodes with STORE=postgres DATABASE_URL=… DATABASE_SCHEMA=${schema}.`
      : 'MIGRATION NOT VERIFIED: do not start nodes on this schema; drop it and retry.',
  ];
  out(lines.join('\n'), { ok, schema, counts, audit, keyLog });
  return ok ? 0 : 1;
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      username: { type: 'string' },
      'display-name': { type: 'string' },
      name: { type: 'string' },
      country: { type: 'string' },
      agency: { type: 'string' },
      kind: { type: 'string' },
      sponsor: { type: 'string' },
      'admin-username': { type: 'string' },
      'admin-name': { type: 'string' },
      role: { type: 'string' },
      officer: { type: 'string' },
      out: { type: 'string' },
      from: { type: 'string' },
    },
  });
  const command = positionals.join(' ');
  if (values.help || command === '' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  const out: Out = (human, data) => console.log(values.json ? JSON.stringify(data, null, 2) : human);
  if (command === 'migrate-store') return migrateStore(values.from, out);
  const config = loadConfig();
  // Verification must not change what it verifies: read-only, no migrations, no new checkpoint.
  const ctx = await AppContext.create(config, { readonly: command === 'audit verify' });
  try {
    switch (command) {
      case 'init': {
        const res = await ctx.accounts.initPlatform({
          username: values.username ?? 'admin',
          displayName: values['display-name'] ?? 'Platform Administrator',
          country: (values.country ?? 'FR').toUpperCase(),
          agencyName: values.agency,
        });
        out(
          [
            `Liaison initialised in ${config.dataDir}.`,
            `Platform administrator "${res.admin.username}" (${res.agency.name}) created.`,
            '',
            'Open this one-time enrolment link in a browser to set a password and enrol an authenticator app',
            `(valid until ${new Date(res.enrolment.expiresAt).toISOString()}, single use):`,
            '',
            `    ${res.enrolment.link}`,
            '',
          ].join('\n'),
          res,
        );
        return 0;
      }
      case 'agency create': {
        const kind = need(values, 'kind') as AgencyKind;
        if (!AGENCY_KINDS.includes(kind)) throw new UsageError(`--kind must be one of ${AGENCY_KINDS.join(', ')}`);
        const res = await ctx.accounts.createAgency(CLI_ACTOR, {
          name: need(values, 'name'),
          country: need(values, 'country').toUpperCase(),
          kind,
          sponsorAgencyId: values.sponsor === undefined ? undefined : await resolveAgency(ctx, values.sponsor, 'sponsor'),
          admin: { username: need(values, 'admin-username'), displayName: need(values, 'admin-name') },
        });
        out(`Agency ${res.agency.name} (${res.agency.id}) created.\nAdministrator enrolment link: ${res.enrolment.link}`, res);
        return 0;
      }
      case 'agency list': {
        const agencies = await ctx.accounts.listAgencies();
        const rows = agencies.map((a) => [a.id, a.country, a.kind, a.status, a.name]);
        out(agencies.length === 0 ? 'No agencies yet: run "init" first.' : table(['id', 'cc', 'kind', 'status', 'name'], rows), { agencies });
        return 0;
      }
      case 'officer list': {
        const agencies = await ctx.accounts.listAgencies();
        const names = new Map(agencies.map((a) => [a.id, a.name]));
        const officers = await allOfficers(ctx, values.agency === undefined ? undefined : [await resolveAgency(ctx, values.agency)]);
        const rows = officers.map((o) => [o.username, o.role, o.status, names.get(o.agencyId) ?? o.agencyId, o.displayName, o.id]);
        out(officers.length === 0 ? 'No officers.' : table(['username', 'role', 'status', 'agency', 'name', 'id'], rows), { officers });
        return 0;
      }
      case 'officer link': {
        const officer = await resolveOfficer(ctx, need(values, 'officer'));
        const enrolment = await ctx.accounts.reissueEnrolment(CLI_ACTOR, officer.id);
        out(`New enrolment link for ${officer.username} (${officer.displayName}): ${enrolment.link}`, { officer, enrolment });
        return 0;
      }
      case 'officer create': {
        const role = (values.role ?? 'officer') as Role;
        if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
        const agencyId = await resolveAgency(ctx, need(values, 'agency'));
        const res = await ctx.accounts.createOfficer(CLI_ACTOR, agencyId, {
          username: need(values, 'username'),
          displayName: need(values, 'name'),
          role,
        });
        out(`Officer ${res.officer.username} (${res.officer.id}) created.\nEnrolment link: ${res.enrolment.link}`, res);
        return 0;
      }
      case 'audit verify': {
        const res = await ctx.audit.verify();
        out(
          res.ok
            ? `Audit chain OK: ${res.eventsChecked} events, ${res.checkpointsChecked} signed checkpoints and ${res.externalHeadsChecked ?? 0} external heads verified (last event ${res.lastSeq}).`
            : `AUDIT CHAIN BROKEN at event ${res.problem?.seq}: ${res.problem?.kind}: ${res.problem?.message}`,
          res,
        );
        return res.ok ? 0 : 1;
      }
      case 'migrate':
        out('Migrations applied.', { ok: true });
        return 0;
      case 'backup': {
        const file = path.resolve(need(values, 'out'));
        await ctx.store.backup(file, ({ totalPages, remainingPages }) => {
          if (!values.json) process.stderr.write(`\rbackup: ${totalPages - remainingPages}/${totalPages} pages`);
        });
        if (!values.json) process.stderr.write('\n');
        out(`Backup written to ${file}`, { ok: true, file });
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    await ctx.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) console.error(`liaison: ${err.message}\n\n${USAGE}`);
    else if (err instanceof AppError || err instanceof ConfigError || err instanceof MigrateStoreError) console.error(`liaison: ${err.message}`);
    else console.error('liaison: failed:', err instanceof Error ? err.message : err);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);

import path from 'node:path';
import { parseArgs } from 'node:util';
import { AGENCY_KINDS, ROLES, type AgencyKind, type Role } from '../../shared/schemas/accounts.ts';
import type { Actor } from '../auth/actor.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { AppContext } from '../context.ts';
import { AppError } from '../errors.ts';

const USAGE = `Usage: npm run liaison -- <command> [options]

Commands:
  init [--username admin] [--display-name NAME] [--country FR] [--agency NAME]
        Create the first platform administrator on an empty data directory; prints a one-time enrolment link.
  agency create --name NAME --country CC --kind KIND [--sponsor AGENCY_ID] --admin-username U --admin-name NAME
        Create an agency and its first agency administrator. KIND: ${AGENCY_KINDS.join(', ')}.
  agency list
        List the agencies: id, country, kind, status and name.
  officer create --agency AGENCY --username U --name NAME [--role ${ROLES.join('|')}]
        Create an officer; prints a one-time enrolment link. AGENCY is the agency's id, its exact name,
        or a country code that names exactly one agency (see "agency list").
  audit verify
        Recompute the audit hash chain and signed checkpoints and compare with the external heads file
        (AUDIT_HEADS_FILE, default DATA_DIR/audit-heads.log); exits 1 and names the first bad or missing event.
  migrate
        Apply pending database migrations.
  backup --out FILE
        Online, consistent copy of the database (safe while the server runs).

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
async function resolveAgency(ctx: AppContext, given: string): Promise<string> {
  const agencies = await ctx.accounts.listAgencies();
  if (agencies.some((a) => a.id === given)) return given;
  const byName = agencies.filter((a) => a.name.toLowerCase() === given.toLowerCase());
  const matches = byName.length > 0 ? byName : agencies.filter((a) => a.country === given.toUpperCase());
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length > 1) {
    throw new UsageError(`--agency "${given}" names ${matches.length} agencies (${matches.map((a) => a.name).join(', ')}); give the id from "agency list"`);
  }
  throw new UsageError(`--agency "${given}" is no agency's id, name or country; "agency list" shows them`);
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
      out: { type: 'string' },
    },
  });
  const command = positionals.join(' ');
  if (values.help || command === '' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  const out: Out = (human, data) => console.log(values.json ? JSON.stringify(data, null, 2) : human);
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
          sponsorAgencyId: values.sponsor,
          admin: { username: need(values, 'admin-username'), displayName: need(values, 'admin-name') },
        });
        out(`Agency ${res.agency.name} (${res.agency.id}) created.\nAdministrator enrolment link: ${res.enrolment.link}`, res);
        return 0;
      }
      case 'agency list': {
        const agencies = await ctx.accounts.listAgencies();
        const rows = agencies.map((a) => `${a.id}  ${a.country}  ${a.kind.padEnd(12)}  ${a.status.padEnd(9)}  ${a.name}`);
        out(agencies.length === 0 ? 'No agencies yet: run "init" first.' : ['id                                    cc  kind          status     name', ...rows].join('\n'), { agencies });
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
    else if (err instanceof AppError || err instanceof ConfigError) console.error(`liaison: ${err.message}`);
    else console.error('liaison: failed:', err instanceof Error ? err.message : err);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);

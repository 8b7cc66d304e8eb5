import { isRotaTimeZone, onDuty, rotaOfficers, shiftsBetween, validateRota, type Rota, type RotaOverride } from '../../shared/desks/rota.ts';
import type { CreateDeskBody, Desk, MyShift, NewRotaOverride, OnDuty, RotaBody, UpdateDeskBody } from '../../shared/schemas/desks.ts';
import { isAdmin, type Actor } from '../auth/actor.ts';
import { newId } from '../auth/tokens.ts';
import type { AccountsService } from '../accounts/service.ts';
import type { AuditService } from '../audit/service.ts';
import { auditEvents, type AuditTarget } from '../audit/actions.ts';
import type { Clock } from '../clock.ts';
import { ConcealedDenialError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { Repositories, Store } from '../store/store.ts';
import type { DeskRow } from './repository.ts';

/** "My shifts" answers at most this window. */
export const MAX_SHIFTS_WINDOW_MS = 31 * 24 * 3_600_000;

/** Minutes a page waits for an acknowledgement before the next step, unless the desk says otherwise. */
export const DEFAULT_ACK_MINUTES = 5;

/** What paging needs of a desk (server/alerting/escalation.ts); no caller check. */
export interface PagingDesk {
  id: string;
  agencyId: string;
  phone: string;
  supervisors: string[];
  members: string[];
  rota: Rota;
  ackMinutes: number;
  /** The desk's E2E channel named by its intake key statements (PROTOCOL.md §11.2), or null. */
  channelId: string | null;
}

export interface DesksDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  accounts: Pick<AccountsService, 'officer' | 'agency'>;
}

/** What the caller is to a desk: its agency's administrator, a supervisor, a member, or nobody (404). */
type Standing = 'admin' | 'supervisor' | 'member' | null;

interface Parsed {
  row: DeskRow;
  supervisors: string[];
  members: string[];
  rota: Rota;
}

/**
 * Desks (docs/DESKS.md): an agency's stable, rota-staffed address. Agency administrators create and
 * delete their agency's desks; supervisors and administrators edit a desk and its rota (only
 * administrators change supervisors); members read it and may swap their own shifts. Everyone else
 * gets 404, as if the desk did not exist (other agencies see desks only through the directory).
 */
export class DesksService {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly audit: AuditService;
  private readonly accounts: DesksDeps['accounts'];

  constructor(deps: DesksDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.audit = deps.audit;
    this.accounts = deps.accounts;
  }

  // ---- reads ----

  async list(actor: Actor): Promise<Desk[]> {
    const rows = await this.store.read((r) => r.desks.visibleTo(isAdmin(actor) ? actor.agencyId : null, actor.officerId));
    return rows.map((row) => view(parse(row)));
  }

  async get(actor: Actor, id: string): Promise<Desk> {
    const desk = await this.readable(actor, id);
    return view(desk);
  }

  /** Who is on duty at `at`: the desk's active officers, else its backup desk's (flagged), else nobody. */
  async onDuty(actor: Actor, id: string, at?: number): Promise<OnDuty> {
    const desk = await this.readable(actor, id);
    const when = at ?? this.clock.now();
    return { at: when, ...(await this.staffAt(desk, when)) };
  }

  /**
   * For the directory: whether someone is on duty at the desk (or its backup) at `at`. Unknown desk
   * ids are not available. No caller check: the directory shows only this boolean.
   */
  async availableAt(deskId: string, at: number): Promise<boolean> {
    const row = await this.store.read((r) => r.desks.byId(deskId));
    if (!row) return false;
    return (await this.staffAt(parse(row), at)).officerIds.length > 0;
  }

  /** For paging: the desk as paging sees it, or undefined (no caller check: callers check standing). */
  async pagingDesk(id: string): Promise<PagingDesk | undefined> {
    const row = await this.store.read((r) => r.desks.byId(id));
    return row ? pagingView(parse(row)) : undefined;
  }

  /** For paging: the desk whose own E2E channel `channelId` is, or null (no caller check: ids only). */
  async deskOfChannel(channelId: string): Promise<string | null> {
    return (await this.store.read((r) => r.desks.byChannel(channelId)))?.id ?? null;
  }

  /** The desk's E2E channel as the caller's transaction sees it (server/intake), or null. */
  async channelIn(tx: Pick<Repositories, 'desks'>, id: string): Promise<string | null> {
    return (await tx.desks.byId(id))?.channelId ?? null;
  }

  /** Records the desk's E2E channel in the caller's transaction (the intake key statement named it; server/intake). */
  async setChannelIn(tx: Pick<Repositories, 'desks'>, id: string, channelId: string): Promise<void> {
    await tx.desks.update(id, { channelId, updatedAt: this.clock.now() });
  }

  /** The caller's standing on a desk; anyone without one gets 404 (audited), as on every desk route. */
  async standingOn(actor: Actor, id: string): Promise<{ desk: PagingDesk; standing: 'admin' | 'supervisor' | 'member' }> {
    const desk = await this.readable(actor, id);
    return { desk: pagingView(desk), standing: this.standing(actor, desk)! };
  }

  /** For paging: the desk's active on-duty officers at `at`, else its backup desk's (no caller check). */
  async staffOf(id: string, at: number): Promise<{ officerIds: string[]; fromBackupDesk: boolean }> {
    const row = await this.store.read((r) => r.desks.byId(id));
    if (!row) return { officerIds: [], fromBackupDesk: false };
    return this.staffAt(parse(row), at);
  }

  /** Active officers among `officerIds`, in order (a suspended officer is never paged). */
  activeOfficers(officerIds: string[]): Promise<string[]> {
    return this.active(officerIds);
  }

  /** For requests: the desk's agency and time zone, or undefined (no caller check: ids only). */
  async zoneOf(deskId: string): Promise<{ agencyId: string; timeZone: string } | undefined> {
    const row = await this.store.read((r) => r.desks.byId(deskId));
    return row ? { agencyId: row.agencyId, timeZone: row.timeZone } : undefined;
  }

  /** The agency owning a desk, or undefined (the directory links an entry only to its own agency's desks). */
  async agencyOf(deskId: string): Promise<string | undefined> {
    return (await this.store.read((r) => r.desks.byId(deskId)))?.agencyId;
  }

  /** The caller's shifts in [from, to) across the desks they are a member of, by start. */
  async myShifts(actor: Actor, from: number, to: number): Promise<MyShift[]> {
    if (to <= from) throw new ValidationError('`to` must be after `from`', 'invalid_window');
    if (to - from > MAX_SHIFTS_WINDOW_MS) throw new ValidationError('The window may span at most 31 days', 'invalid_window');
    const rows = await this.store.read((r) => r.desks.memberOf(actor.officerId));
    const out: MyShift[] = [];
    for (const row of rows) {
      const rota = JSON.parse(row.rota) as Rota;
      for (const s of shiftsBetween(rota, from, to)) {
        if (s.officerId !== actor.officerId) continue;
        out.push({ deskId: row.id, deskName: row.name, start: s.start, end: s.end, source: s.source, ...(s.overrideId ? { overrideId: s.overrideId } : {}) });
      }
    }
    return out.sort((a, b) => a.start - b.start || a.deskName.localeCompare(b.deskName) || a.deskId.localeCompare(b.deskId));
  }

  // ---- changes ----

  async create(actor: Actor, body: CreateDeskBody): Promise<Desk> {
    if (!isAdmin(actor)) throw new ForbiddenError('Only agency administrators create desks');
    const agency = await this.accounts.agency(actor.agencyId);
    if (!agency) throw new NotFoundError('Agency');
    if (agency.status !== 'active') throw new ConflictError('The agency is suspended', 'agency_suspended');
    const timeZone = validZone(body.timeZone);
    const supervisors = body.supervisors ?? [];
    const members = body.members ?? [];
    await this.assertOfficers(actor.agencyId, { supervisors, members });
    const id = newId();
    const backupDeskId = body.backupDeskId ?? null;
    return this.store.write(async (tx) => {
      if (backupDeskId !== null) await this.assertBackup(tx, { id, agencyId: actor.agencyId }, backupDeskId);
      const now = this.clock.now();
      const row: DeskRow = {
        id,
        agencyId: actor.agencyId,
        name: validName(body.name),
        specialisations: JSON.stringify([...(body.specialisations ?? [])].sort()),
        languages: JSON.stringify(validLanguages(body.languages ?? [])),
        phone: normalisePhone(body.phone),
        timeZone,
        supervisors: JSON.stringify(supervisors),
        members: JSON.stringify(members),
        backupDeskId,
        rota: JSON.stringify({ timeZone, weekly: [], overrides: [] } satisfies Rota),
        ackMinutes: body.escalation?.ackMinutes ?? DEFAULT_ACK_MINUTES,
        channelId: null,
        createdAt: now,
        updatedAt: now,
        createdBy: actor.officerId,
      };
      await tx.desks.insert(row);
      await this.audit.record(tx, auditEvents.deskCreated(actor, target(row), { members: members.length, supervisors: supervisors.length, backupDeskId }));
      return view(parse(row));
    });
  }

  async update(actor: Actor, id: string, body: UpdateDeskBody): Promise<Desk> {
    const before = await this.editable(actor, id);
    if (body.supervisors !== undefined && this.standing(actor, before) !== 'admin') {
      throw new ForbiddenError('Only agency administrators change supervisors');
    }
    // Officer look-ups go through the accounts service, outside the transaction.
    await this.assertOfficers(before.row.agencyId, { ...(body.supervisors && { supervisors: body.supervisors }), ...(body.members && { members: body.members }) });
    const timeZone = body.timeZone === undefined ? undefined : validZone(body.timeZone);
    const fields: Partial<DeskRow> = {
      ...(body.name !== undefined && { name: validName(body.name) }),
      ...(body.specialisations !== undefined && { specialisations: JSON.stringify([...body.specialisations].sort()) }),
      ...(body.languages !== undefined && { languages: JSON.stringify(validLanguages(body.languages)) }),
      ...(body.phone !== undefined && { phone: normalisePhone(body.phone) }),
      ...(body.supervisors !== undefined && { supervisors: JSON.stringify(body.supervisors) }),
      ...(body.members !== undefined && { members: JSON.stringify(body.members) }),
      ...(body.backupDeskId !== undefined && { backupDeskId: body.backupDeskId }),
      ...(body.escalation !== undefined && { ackMinutes: body.escalation.ackMinutes }),
    };
    return this.store.write(async (tx) => {
      // The rota-dependent checks and the zone change read the desk as this transaction sees it.
      const desk = await this.editable(actor, id, tx);
      const members = body.members ?? desk.members;
      const missing = [...rotaOfficers(desk.rota)].filter((o) => !members.includes(o));
      if (missing.length) throw new ValidationError(`Still on the rota, so they must stay members: ${missing.join(', ')}`, 'invalid_member');
      if (body.backupDeskId) await this.assertBackup(tx, desk.row, body.backupDeskId);
      // The rota keeps its wall times; they are read in the new zone from now on.
      const zone = timeZone !== undefined ? { timeZone, rota: JSON.stringify({ ...desk.rota, timeZone }) } : {};
      await tx.desks.update(id, { ...fields, ...zone, updatedAt: this.clock.now() });
      await this.audit.record(tx, auditEvents.deskUpdated(actor, target(desk.row), { fields: Object.keys(body).sort() }));
      return view(parse((await tx.desks.byId(id))!));
    });
  }

  async remove(actor: Actor, id: string): Promise<void> {
    const desk = await this.readable(actor, id);
    if (this.standing(actor, desk) !== 'admin') throw new ForbiddenError('Only agency administrators delete desks');
    await this.store.write(async (tx) => {
      await tx.desks.delete(id);
      await this.audit.record(tx, auditEvents.deskDeleted(actor, target(desk.row), {}));
    });
  }

  async replaceRota(actor: Actor, id: string, body: RotaBody): Promise<Desk> {
    return this.store.write(async (tx) => {
      const desk = await this.editable(actor, id, tx);
      const rota = this.checkedRota(desk, body as Rota);
      await tx.desks.update(id, { rota: JSON.stringify(rota), updatedAt: this.clock.now() });
      await this.audit.record(tx, auditEvents.deskRotaReplaced(actor, target(desk.row), { weekly: rota.weekly.length, overrides: rota.overrides.length }));
      return view(parse((await tx.desks.byId(id))!));
    });
  }

  async addOverride(actor: Actor, id: string, body: NewRotaOverride): Promise<Desk> {
    return this.store.write(async (tx) => {
      // Read in the transaction: two concurrent additions must not lose one another.
      const desk = await this.readable(actor, id, tx);
      if (this.standing(actor, desk) === 'member') this.assertOwnSwap(actor, desk, body);
      const override: RotaOverride = { id: newId(), officerId: body.officerId, start: body.start, end: body.end, ...(body.replaces !== undefined && { replaces: body.replaces }) };
      const rota = this.checkedRota(desk, { ...desk.rota, overrides: [...desk.rota.overrides, override] });
      await tx.desks.update(id, { rota: JSON.stringify(rota), updatedAt: this.clock.now() });
      const details = { overrideId: override.id, officerId: override.officerId, replaces: override.replaces ?? null };
      await this.audit.record(tx, auditEvents.deskOverrideAdded(actor, target(desk.row), details));
      return view(parse((await tx.desks.byId(id))!));
    });
  }

  async removeOverride(actor: Actor, id: string, overrideId: string): Promise<Desk> {
    return this.store.write(async (tx) => {
      const desk = await this.readable(actor, id, tx);
      const override = desk.rota.overrides.find((o) => o.id === overrideId);
      if (!override) throw new NotFoundError('Override');
      if (this.standing(actor, desk) === 'member' && override.replaces !== actor.officerId) {
        throw new ForbiddenError('Members may remove only swaps of their own shifts', 'not_your_shift');
      }
      const rota = { ...desk.rota, overrides: desk.rota.overrides.filter((o) => o.id !== overrideId) };
      await tx.desks.update(id, { rota: JSON.stringify(rota), updatedAt: this.clock.now() });
      await this.audit.record(tx, auditEvents.deskOverrideRemoved(actor, target(desk.row), { overrideId }));
      return view(parse((await tx.desks.byId(id))!));
    });
  }

  // ---- rules ----

  private standing(actor: Actor, desk: Parsed): Standing {
    if (isAdmin(actor) && actor.agencyId === desk.row.agencyId) return 'admin';
    if (desk.supervisors.includes(actor.officerId)) return 'supervisor';
    if (desk.members.includes(actor.officerId)) return 'member';
    return null;
  }

  /** Read through `repos` (a write transaction) to check and change the same version of the desk. */
  private async readable(actor: Actor, id: string, repos?: Pick<Repositories, 'desks'>): Promise<Parsed> {
    const row = repos ? await repos.desks.byId(id) : await this.store.read((r) => r.desks.byId(id));
    if (!row) throw new NotFoundError('Desk');
    const desk = parse(row);
    if (this.standing(actor, desk) === null) throw new ConcealedDenialError('Desk', 'not_on_desk');
    return desk;
  }

  private async editable(actor: Actor, id: string, repos?: Pick<Repositories, 'desks'>): Promise<Parsed> {
    const desk = await this.readable(actor, id, repos);
    if (this.standing(actor, desk) === 'member') throw new ForbiddenError("Only the desk's supervisors and agency administrators edit it");
    return desk;
  }

  /** Officers of the desk's own rota on duty and still active; the backup desk's (one hop) when there are none. */
  private async staffAt(desk: Parsed, at: number): Promise<{ officerIds: string[]; fromBackupDesk: boolean }> {
    const own = await this.active(onDuty(desk.rota, at));
    if (own.length > 0 || desk.row.backupDeskId === null) return { officerIds: own, fromBackupDesk: false };
    const backupId = desk.row.backupDeskId;
    const backup = await this.store.read((r) => r.desks.byId(backupId));
    const officerIds = backup ? await this.active(onDuty(JSON.parse(backup.rota) as Rota, at)) : [];
    return { officerIds, fromBackupDesk: officerIds.length > 0 };
  }

  /** A suspended officer is never "on duty", whatever the rota says. */
  private async active(officerIds: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const id of officerIds) if ((await this.accounts.officer(id))?.status === 'active') out.push(id);
    return out;
  }

  private async assertOfficers(agencyId: string, lists: { supervisors?: string[]; members?: string[] }): Promise<void> {
    for (const [field, ids] of Object.entries(lists)) {
      for (const [i, officerId] of ids.entries()) {
        const officer = await this.accounts.officer(officerId);
        if (!officer || officer.agencyId !== agencyId || officer.status !== 'active') {
          throw new ValidationError(`${field}[${i}]: "${officerId}" is not an active officer of the desk's agency`, 'invalid_member');
        }
      }
    }
  }

  /** Another desk of the same agency that does not name this desk as its own backup. */
  private async assertBackup(tx: Pick<Store, 'desks'>, desk: { id: string; agencyId: string }, backupDeskId: string): Promise<void> {
    if (backupDeskId === desk.id) throw new ValidationError('A desk cannot be its own backup', 'invalid_backup_desk');
    const backup = await tx.desks.byId(backupDeskId);
    if (!backup || backup.agencyId !== desk.agencyId) throw new ValidationError('The backup desk must be another desk of the same agency', 'invalid_backup_desk');
    if (backup.backupDeskId === desk.id) throw new ValidationError('The backup desk names this desk as its own backup (a cycle)', 'invalid_backup_desk');
  }

  /** Structural problems, then the desk's rules: its time zone, and only members on duty. */
  private checkedRota(desk: Parsed, rota: Rota): Rota {
    const problems = validateRota(rota);
    if (problems.length) {
      const text = problems.slice(0, 5).map((p) => (p.path ? `rota.${p.path}: ${p.message}` : `rota: ${p.message}`));
      throw new ValidationError(text.join('; ') + (problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''), 'invalid_rota');
    }
    if (rota.timeZone !== desk.row.timeZone) {
      throw new ValidationError(`rota.timeZone: must be the desk's time zone "${desk.row.timeZone}" (change the desk's zone instead)`, 'invalid_rota');
    }
    const strangers = [...rotaOfficers(rota)].filter((o) => !desk.members.includes(o));
    if (strangers.length) throw new ValidationError(`rota: not members of the desk: ${strangers.join(', ')}`, 'invalid_rota');
    return {
      timeZone: rota.timeZone,
      weekly: rota.weekly.map((s) => ({ officerId: s.officerId, days: [...s.days].sort(), start: s.start, end: s.end })),
      overrides: rota.overrides.map((o) => ({ id: o.id, officerId: o.officerId, start: o.start, end: o.end, ...(o.replaces !== undefined && { replaces: o.replaces }) })),
    };
  }

  /** A member's swap: they hand their own weekly duty in [start, end) to another member. */
  private assertOwnSwap(actor: Actor, desk: Parsed, body: NewRotaOverride): void {
    if (body.replaces !== actor.officerId) throw new ForbiddenError('Members may only add a swap of their own shift (replaces = yourself)', 'not_your_shift');
    if (body.officerId === actor.officerId) throw new ValidationError('A swap hands the shift to someone else', 'invalid_rota');
    if (body.end <= body.start) throw new ValidationError('rota.overrides: end must be after start', 'invalid_rota');
    const mine = shiftsBetween({ ...desk.rota, overrides: [] }, body.start, body.end).filter((s) => s.officerId === actor.officerId);
    let covered = body.start;
    for (const s of mine) if (s.start <= covered && s.end > covered) covered = s.end;
    if (covered < body.end) throw new ForbiddenError('The swap must lie within your own weekly shifts', 'not_your_shift');
  }
}

function parse(row: DeskRow): Parsed {
  return { row, supervisors: JSON.parse(row.supervisors) as string[], members: JSON.parse(row.members) as string[], rota: JSON.parse(row.rota) as Rota };
}

function view({ row, supervisors, members, rota }: Parsed): Desk {
  return {
    id: row.id,
    agencyId: row.agencyId,
    name: row.name,
    specialisations: JSON.parse(row.specialisations) as string[],
    languages: JSON.parse(row.languages) as string[],
    phone: row.phone,
    timeZone: row.timeZone,
    supervisors,
    members,
    backupDeskId: row.backupDeskId,
    rota,
    escalation: { ackMinutes: row.ackMinutes },
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function pagingView({ row, supervisors, members, rota }: Parsed): PagingDesk {
  return { id: row.id, agencyId: row.agencyId, phone: row.phone, supervisors, members, rota, ackMinutes: row.ackMinutes, channelId: row.channelId };
}

/** A desk as an audit target: the event belongs to the desk's agency. */
function target(row: { id: string; agencyId: string }): AuditTarget {
  return { type: 'desk', id: row.id, agencyId: row.agencyId };
}

function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 2) throw new ValidationError('name must have at least 2 characters besides spaces');
  return trimmed;
}

function validZone(name: string): string {
  if (!isRotaTimeZone(name)) throw new ValidationError(`"${name}" is not an IANA time zone such as Europe/Lisbon`, 'invalid_time_zone');
  return name;
}

/** BCP 47 tags in canonical case ("pt-br" → "pt-BR"), sorted and deduplicated. */
function validLanguages(tags: string[]): string[] {
  const out = new Set<string>();
  for (const tag of tags) {
    try {
      const [canonical] = Intl.getCanonicalLocales(tag);
      if (!canonical) throw new RangeError(tag);
      out.add(canonical);
    } catch {
      throw new ValidationError(`"${tag}" is not a BCP 47 language tag (e.g. pt or pt-BR)`, 'invalid_language');
    }
  }
  return [...out].sort();
}

/** E.164 with optional spaces, dots, hyphens and parentheses as separators. */
function normalisePhone(phone: string): string {
  const compact = phone.replace(/[\s().-]/g, '');
  if (!/^\+[1-9][0-9]{6,14}$/.test(compact)) {
    throw new ValidationError('phone must be an international number: "+", country code, 7–15 digits in all', 'invalid_phone');
  }
  return compact;
}

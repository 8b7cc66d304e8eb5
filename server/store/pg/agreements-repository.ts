import type { AgreementRow, AgreementsRepository, GrantRow, NewAgreementSuspension, NewExtendedAccessGrant, PartyRow, SuspensionRow } from '../../agreements/repository.ts';
import type { PgExecutor } from './executor.ts';
import { insertSql, selectList, setList } from './row-mapping.ts';
import { agreementParties, agreementSuspensions, agreements, extendedAccessGrants } from './schema.ts';
import { tableMap } from './tables.ts';

const AGREEMENTS = tableMap(agreements);
const PARTIES = tableMap(agreementParties);
const SUSPENSIONS = tableMap(agreementSuspensions);
const GRANTS = tableMap(extendedAccessGrants);
const AGREEMENT = selectList(AGREEMENTS);
const PARTY = selectList(PARTIES);
const GRANT = selectList(GRANTS);

/** PostgreSQL SQL for agreements, their parties' signatures and extended-access grants (mirrors SqliteAgreementsRepository). */
export class PgAgreementsRepository implements AgreementsRepository {
  constructor(private readonly q: PgExecutor) {}

  async agreement(id: string): Promise<AgreementRow | undefined> {
    return (await this.q.query<AgreementRow>(`SELECT ${AGREEMENT} FROM agreements WHERE id = $1`, [id])).rows[0];
  }

  async parties(agreementId: string): Promise<PartyRow[]> {
    return (await this.q.query<PartyRow>(`SELECT ${PARTY} FROM agreement_parties WHERE agreement_id = $1 ORDER BY agency_id COLLATE "C"`, [agreementId])).rows;
  }

  async insert(row: AgreementRow, partyIds: readonly string[]): Promise<void> {
    const { text, params } = insertSql(AGREEMENTS, row);
    await this.q.query(text, params);
    if (partyIds.length === 0) return;
    const values = partyIds.map((_, i) => `($1, $${i + 2})`).join(', ');
    await this.q.query(`INSERT INTO agreement_parties (agreement_id, agency_id) VALUES ${values}`, [row.id, ...partyIds]);
  }

  async setStatus(id: string, status: AgreementRow['status'], now: number): Promise<void> {
    await this.q.query('UPDATE agreements SET status = $2, updated_at = $3 WHERE id = $1', [id, status, now]);
  }

  async touch(id: string, now: number): Promise<void> {
    await this.q.query('UPDATE agreements SET updated_at = $2 WHERE id = $1', [id, now]);
  }

  async sign(agreementId: string, agencyId: string, patch: { signedBy: string; signature: string; signerPublicKey: string; signedAt: number }): Promise<void> {
    const params: unknown[] = [agreementId, agencyId];
    await this.q.query(`UPDATE agreement_parties SET ${setList(PARTIES, patch, params)} WHERE agreement_id = $1 AND agency_id = $2`, params);
  }

  async suspensions(agreementId: string): Promise<SuspensionRow[]> {
    return (await this.q.query<SuspensionRow>(
      `SELECT ${selectList(SUSPENSIONS)} FROM agreement_suspensions WHERE agreement_id = $1 ORDER BY agency_id COLLATE "C"`,
      [agreementId],
    )).rows;
  }

  async addSuspension(row: NewAgreementSuspension): Promise<void> {
    const { text, params } = insertSql(SUSPENSIONS, row);
    await this.q.query(text, params);
  }

  async liftSuspension(agreementId: string, agencyId: string): Promise<void> {
    await this.q.query('DELETE FROM agreement_suspensions WHERE agreement_id = $1 AND agency_id = $2', [agreementId, agencyId]);
  }

  async list(agencyIds: readonly string[] | null): Promise<AgreementRow[]> {
    if (agencyIds === null) return (await this.q.query<AgreementRow>(`SELECT ${AGREEMENT} FROM agreements ORDER BY created_at`)).rows;
    return (await this.q.query<AgreementRow>(
      `SELECT ${AGREEMENT} FROM agreements WHERE id IN (SELECT agreement_id FROM agreement_parties WHERE agency_id = ANY($1::text[])) ORDER BY created_at`,
      [[...agencyIds]],
    )).rows;
  }

  async activeGrants(agencyId: string, now: number): Promise<GrantRow[]> {
    return (await this.q.query<GrantRow>(
      `SELECT ${GRANT} FROM extended_access_grants WHERE agency_id = $1 AND revoked_at IS NULL AND expires_at > $2`,
      [agencyId, now],
    )).rows;
  }

  async grant(id: string): Promise<GrantRow | undefined> {
    return (await this.q.query<GrantRow>(`SELECT ${GRANT} FROM extended_access_grants WHERE id = $1`, [id])).rows[0];
  }

  async insertGrant(row: NewExtendedAccessGrant): Promise<void> {
    const { text, params } = insertSql(GRANTS, row);
    await this.q.query(text, params);
  }

  async revokeGrant(id: string, now: number): Promise<void> {
    await this.q.query('UPDATE extended_access_grants SET revoked_at = $2 WHERE id = $1', [id, now]);
  }

  async grants(agencyId: string | null): Promise<GrantRow[]> {
    if (agencyId === null) return (await this.q.query<GrantRow>(`SELECT ${GRANT} FROM extended_access_grants ORDER BY created_at`)).rows;
    return (await this.q.query<GrantRow>(
      `SELECT ${GRANT} FROM extended_access_grants WHERE sponsor_agency_id = $1 OR agency_id = $1 ORDER BY created_at`,
      [agencyId],
    )).rows;
  }
}

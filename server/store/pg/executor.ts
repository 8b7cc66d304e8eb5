/**
 * What a PostgreSQL repository runs its SQL on: a pooled client inside a transaction, or the pool
 * for reads outside one. `pg`'s Pool and PoolClient both satisfy it. Repositories use numbered
 * parameters ($1, $2, …) and quote camelCase aliases (`AS "channelId"`), because PostgreSQL folds
 * unquoted identifiers to lower case, so rows keep the shapes of the port's row types.
 */
export interface PgExecutor {
  query<R extends object = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

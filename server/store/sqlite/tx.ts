import type Database from 'better-sqlite3';
import { AppError } from '../../errors.ts';

/**
 * Runs `fn` in an IMMEDIATE transaction. Throwing rolls back; *returning* an AppError commits
 * (e.g. a failure counter or a security audit event) and then throws it to the caller.
 * better-sqlite3 transactions must be synchronous: never pass an async function.
 */
export function transact<T>(sqlite: Database.Database, fn: () => T | AppError): T {
  const run = sqlite.transaction(fn);
  const result = sqlite.inTransaction ? run() : run.immediate();
  if (result instanceof AppError) throw result;
  return result;
}

/**
 * Recognises "a unique key is taken" from either driver, so the store can turn it into the one
 * error the contract names (StoreConflictError) whichever database is underneath.
 */

/** better-sqlite3's codes for a UNIQUE or PRIMARY KEY clash; PostgreSQL's SQLSTATE for both. */
const UNIQUE_VIOLATION_CODES: ReadonlySet<unknown> = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY', '23505']);

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Error && 'code' in error && UNIQUE_VIOLATION_CODES.has(error.code);
}

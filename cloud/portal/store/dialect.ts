/** The two databases the store runs on; the few places that differ branch on this. */
export type SqlDialect = 'sqlite' | 'postgres';

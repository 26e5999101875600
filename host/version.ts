import pkg from '../package.json' with { type: 'json' };

/** The Waygate version, from package.json (inlined into the bundle at build time). */
export const WAYGATE_VERSION: string = pkg.version;

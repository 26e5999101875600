/** scrypt in JS for core/password.ts: WebCrypto has none. Async, so the worker stays responsive. */
import { scryptAsync } from '@noble/hashes/scrypt.js';
import type { Scrypt } from '../../core/password.js';

export const browserScrypt: Scrypt = (password, salt, params) =>
  scryptAsync(password, salt, { N: params.N, r: params.r, p: params.p, dkLen: params.dkLen, maxmem: 300 * 1024 * 1024 });

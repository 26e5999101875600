/**
 * Per-client limits of the unauthenticated enrollment endpoints and of one-time-code checks, as
 * fastify route `config.rateLimit` values. Exported so tests know how many requests hit a limit.
 */
import type { FastifyRequest } from 'fastify';
import { bearerCredential, deviceIdOf } from '../device/credential.js';

/** Starting an enrollment is a person's action: a handful per minute from one address is plenty. */
export const AUTHORIZE_LIMIT = { max: 30, timeWindow: 60_000 };

/**
 * Each enrolling device polls every 5 s (12/min; 15/min when it re-polls as soon as a 4-s held poll
 * answers, see held-poll.ts) and many can share one NAT address during a rollout, so the token
 * endpoint allows more; it still stops enrollment-token guessing.
 */
export const TOKEN_LIMIT = { max: 120, timeWindow: 60_000 };

/**
 * One-time codes are 8 digits: 10 tries a minute over their 15-minute life leaves a guesser
 * 150 tries in 10^8. Keyed by the device the credential names, so one NAT does not share it.
 */
export const VERIFY_CODE_LIMIT = {
  max: 10,
  timeWindow: 60_000,
  keyGenerator: (request: FastifyRequest): string => deviceIdOf(bearerCredential(request.headers.authorization) ?? '') ?? request.ip,
};

/**
 * Errors of the OAuth endpoints (authorize, token) in their own RFC 6749 §5.2 shape
 * `{error, error_description}` rather than the portal's `{code, message}`: device clients branch on
 * `error` exactly as RFC 8628 §3.5 names them.
 */
import type { FastifyReply } from 'fastify';
import type { TokenError } from '../../../protocol/portal.js';

type TokenErrorCode = TokenError['error'];

export class OAuthError extends Error {
  override readonly name = 'OAuthError';

  constructor(
    readonly error: TokenErrorCode,
    readonly description: string,
  ) {
    super(description);
  }
}

/**
 * RFC 6749 §5.1/§5.2: responses of the token endpoint are never cached. Every error is a 400: the
 * client is public (RFC 8628 §3.4) and never attempts HTTP authentication, which is the case where
 * §5.2 requires a 401 for invalid_client.
 */
export function noStore(reply: FastifyReply): FastifyReply {
  return reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

export function sendOAuthError(reply: FastifyReply, err: OAuthError): FastifyReply {
  const body: TokenError = { error: err.error, error_description: err.description };
  return noStore(reply).code(400).send(body);
}

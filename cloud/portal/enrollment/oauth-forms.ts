/**
 * Parsing the form bodies of the OAuth endpoints into their protocol schemas, with each failure
 * mapped to the RFC 6749 §5.2 error a client expects: a missing parameter is invalid_request, an
 * unknown grant_type is unsupported_grant_type, a client_id other than Waygate's is invalid_client.
 */
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { CLIENT_ID, DEVICE_CODE_GRANT, DeviceAuthorizeForm, DeviceTokenForm, ENROLLMENT_TOKEN_GRANT } from '../../../protocol/portal.js';
import { OAuthError } from './oauth-error.js';

const FORM_TYPE = 'application/x-www-form-urlencoded';

function formFields(request: FastifyRequest): Record<string, unknown> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const body = request.body;
  if (type !== FORM_TYPE || typeof body !== 'object' || body === null) {
    throw new OAuthError('invalid_request', `Send the parameters as ${FORM_TYPE} (RFC 8628 §3.1).`);
  }
  return Object.fromEntries(Object.entries(body));
}

function checkClient(fields: Record<string, unknown>): void {
  if (fields.client_id === undefined) throw new OAuthError('invalid_request', `The client_id parameter is missing; it is "${CLIENT_ID}".`);
  if (fields.client_id !== CLIENT_ID) throw new OAuthError('invalid_client', `Unknown client_id; Waygate devices use "${CLIENT_ID}".`);
}

function parseOrReject<T extends z.ZodType>(schema: T, fields: Record<string, unknown>): z.infer<T> {
  const parsed = schema.safeParse(fields);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`).join('; ');
  throw new OAuthError('invalid_request', `Invalid parameters (${problems}).`);
}

export function parseAuthorizeForm(request: FastifyRequest): DeviceAuthorizeForm {
  const fields = formFields(request);
  checkClient(fields);
  return parseOrReject(DeviceAuthorizeForm, fields);
}

export function parseTokenForm(request: FastifyRequest): DeviceTokenForm {
  const fields = formFields(request);
  if (fields.grant_type === undefined) throw new OAuthError('invalid_request', 'The grant_type parameter is missing.');
  if (fields.grant_type !== DEVICE_CODE_GRANT && fields.grant_type !== ENROLLMENT_TOKEN_GRANT) {
    throw new OAuthError('unsupported_grant_type', `Supported grant types: ${DEVICE_CODE_GRANT}, ${ENROLLMENT_TOKEN_GRANT}.`);
  }
  checkClient(fields);
  return parseOrReject(DeviceTokenForm, fields);
}

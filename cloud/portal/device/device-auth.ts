/**
 * Authentication of device routes: `Authorization: Bearer wgd.<id>.<secret>`. One store read (the
 * device row, found by the id in the credential) and one SHA-256; the owner comes from the
 * identity cache. Anything wrong is a 401 that tells the device to enroll again.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { WaygateError } from '../../../protocol/errors.js';
import type { PortalContext } from '../context.js';
import { constantTimeEqual, sha256 } from '../crypto/secrets.js';
import type { Device } from '../store/store.js';
import { bearerCredential, deviceIdOf } from './credential.js';
import type { Identities, Identity } from './identities.js';

export interface AuthenticatedDevice extends Identity {
  device: Device;
}

export interface DeviceAuth {
  readonly preHandler: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;
  /** The device authenticated for this request; only valid inside routes behind `preHandler`. */
  readonly deviceOf: (request: FastifyRequest) => AuthenticatedDevice;
}

const INVALID = 'The device credential is not valid. Enroll this device again (`waygate login`).';

function reject(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(401).header('www-authenticate', 'Bearer realm="waygate-device"').send(new WaygateError('UNAUTHENTICATED', message).toWire());
}

export function deviceAuth(ctx: PortalContext, identities: Identities): DeviceAuth {
  const authenticated = new WeakMap<FastifyRequest, AuthenticatedDevice>();
  return {
    async preHandler(request, reply) {
      const credential = bearerCredential(request.headers.authorization);
      if (!credential) {
        return reject(reply, 'This request needs the device credential (Authorization: Bearer wgd.…). Enroll this device first (`waygate login`).');
      }
      const id = deviceIdOf(credential);
      const device = id ? await ctx.store.getDevice(id) : null;
      if (!device || device.orgId !== ctx.org.id || !constantTimeEqual(sha256(credential), device.credentialHash)) {
        return reject(reply, INVALID);
      }
      if (device.revokedAt !== null) {
        return reject(reply, 'An administrator removed this device from the organisation. Enroll it again (`waygate login`) or ask your administrator.');
      }
      const identity = await identities.of(device.userId);
      if (!identity) {
        return reject(reply, 'The account this device is enrolled for is disabled or was removed. Ask your administrator.');
      }
      authenticated.set(request, { device, ...identity });
      return undefined;
    },
    deviceOf(request) {
      const found = authenticated.get(request);
      if (!found) throw new Error('deviceOf() called on a route without the device preHandler');
      return found;
    },
  };
}

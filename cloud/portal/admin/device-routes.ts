/**
 * Admin API: the dashboard and devices — list, detail, CSV export, revoke, remove, and one-time
 * codes a user can type to disable Waygate or log out on one device.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WaygateError } from '../../../protocol/errors.js';
import {
  DEVICE_CSV_COLUMNS,
  OneTimeCodeRequest,
  type AdminDevice,
  type Dashboard,
  type DeviceList,
  type OneTimeCodeResponse,
} from '../../../protocol/portal-admin.js';
import { parseInput } from '../parse-input.js';
import type { PortalContext } from '../context.js';
import { issueOneTimeCode } from '../device/one-time-codes.js';
import type { Device, User } from '../store/store.js';
import type { AdminGuard } from './admin-guard.js';
import { toCsv } from './csv.js';
import { buildDashboard } from './dashboard.js';
import { adminDevice, deviceCsvRow } from './device-view.js';
import { IdParams } from './params.js';

export function registerDeviceRoutes(app: FastifyInstance, ctx: PortalContext, guard: AdminGuard): void {
  const currentVersion = async (): Promise<number | null> => (await ctx.store.currentPolicy(ctx.org.id))?.version ?? null;

  async function allDevices(): Promise<AdminDevice[]> {
    const [devices, users, version] = await Promise.all([ctx.store.listDevices(ctx.org.id), ctx.store.listUsers(ctx.org.id), currentVersion()]);
    const byId = new Map(users.map((u) => [u.id, u]));
    return devices.sort((a, b) => b.enrolledAt - a.enrolledAt || a.id.localeCompare(b.id)).map((d) => adminDevice(d, byId.get(d.userId), version));
  }

  async function deviceOf(request: FastifyRequest): Promise<Device> {
    const { id } = parseInput(IdParams, request.params, 'path');
    const device = await ctx.store.getDevice(id);
    if (!device || device.orgId !== ctx.org.id) throw new WaygateError('NOT_FOUND', `No device ${id} in this organisation; it may have been removed.`);
    return device;
  }

  async function view(device: Device): Promise<AdminDevice> {
    const owner: User | null = await ctx.store.getUser(device.userId);
    return adminDevice(device, owner, await currentVersion());
  }

  app.get('/dashboard', async (): Promise<Dashboard> => {
    const [devices, users, version] = await Promise.all([ctx.store.listDevices(ctx.org.id), ctx.store.listUsers(ctx.org.id), currentVersion()]);
    return buildDashboard({ devices, users, currentPolicyVersion: version, now: ctx.now() });
  });

  app.get('/devices', async (): Promise<DeviceList> => ({ devices: await allDevices() }));

  app.get('/devices.csv', async (_request, reply) => {
    const csv = toCsv(DEVICE_CSV_COLUMNS, (await allDevices()).map(deviceCsvRow));
    const day = new Date(ctx.now()).toISOString().slice(0, 10);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="waygate-devices-${day}.csv"`)
      .header('cache-control', 'no-store')
      .send(csv);
  });

  app.get('/devices/:id', async (request): Promise<AdminDevice> => view(await deviceOf(request)));

  /** Revoking keeps the record (for the audit trail and the list) and refuses the credential from now on. */
  app.post('/devices/:id/revoke', async (request): Promise<AdminDevice> => {
    const device = await deviceOf(request);
    if (device.revokedAt !== null) return view(device);
    const revokedAt = ctx.now();
    await ctx.store.updateDevice(device.id, { revokedAt });
    await ctx.audit(guard.actor(request).id, 'device.revoke', device.id, { name: device.name, userId: device.userId });
    return view({ ...device, revokedAt });
  });

  app.delete('/devices/:id', async (request, reply) => {
    const device = await deviceOf(request);
    await ctx.store.deleteDevice(device.id, ctx.now());
    await ctx.audit(guard.actor(request).id, 'device.remove', device.id, { name: device.name, userId: device.userId });
    return reply.code(204).send();
  });

  app.post('/devices/:id/one-time-codes', async (request, reply): Promise<OneTimeCodeResponse> => {
    const device = await deviceOf(request);
    const { kind } = parseInput(OneTimeCodeRequest, request.body);
    if (device.revokedAt !== null) throw new WaygateError('CONFLICT', 'This device is revoked: it can no longer check codes with the portal, so a code would not work.');
    reply.header('cache-control', 'no-store');
    // issueOneTimeCode writes the audit entry (kind and expiry, never the code).
    return issueOneTimeCode(ctx, device.id, kind, guard.actor(request).id);
  });
}

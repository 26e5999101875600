/**
 * Admin API: support tickets from devices — list, read, download the diagnostics bundle, close.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WaygateError } from '../../../protocol/errors.js';
import { ADMIN_API_PREFIX, type AdminTicket, type AdminTicketDetail, type TicketList } from '../../../protocol/portal-admin.js';
import { parseInput } from '../parse-input.js';
import type { PortalContext } from '../context.js';
import type { Device, SupportTicket, User } from '../store/store.js';
import type { AdminGuard } from './admin-guard.js';
import { bundleFileName } from './bundle-file.js';
import { userRef } from './refs.js';
import { IdParams } from './params.js';

type TicketRow = Omit<SupportTicket, 'bundle'>;

function summary(t: TicketRow, device: Device | null | undefined, user: User | null | undefined): AdminTicket {
  return {
    id: t.id,
    subject: t.subject,
    status: t.status,
    createdAt: t.createdAt,
    device: device ? { id: device.id, name: device.name } : null,
    user: userRef(user),
  };
}

export function registerTicketRoutes(app: FastifyInstance, ctx: PortalContext, guard: AdminGuard): void {
  async function ticketOf(request: FastifyRequest): Promise<SupportTicket> {
    const { id } = parseInput(IdParams, request.params, 'path');
    const ticket = await ctx.store.getTicket(id);
    if (!ticket || ticket.orgId !== ctx.org.id) throw new WaygateError('NOT_FOUND', `No support ticket ${id} in this organisation.`);
    return ticket;
  }

  async function detail(t: SupportTicket): Promise<AdminTicketDetail> {
    const [device, user] = await Promise.all([ctx.store.getDevice(t.deviceId), ctx.store.getUser(t.userId)]);
    const bundle = t.bundle ? { bytes: t.bundle.byteLength, url: `${ADMIN_API_PREFIX}/tickets/${encodeURIComponent(t.id)}/bundle` } : null;
    return { ...summary(t, device, user), message: t.message, bundle };
  }

  app.get('/tickets', async (): Promise<TicketList> => {
    const [tickets, devices, users] = await Promise.all([ctx.store.listTickets(ctx.org.id), ctx.store.listDevices(ctx.org.id), ctx.store.listUsers(ctx.org.id)]);
    const deviceById = new Map(devices.map((d) => [d.id, d]));
    const userById = new Map(users.map((u) => [u.id, u]));
    const sorted = tickets.sort((a, b) => b.createdAt - a.createdAt);
    return { tickets: sorted.map((t) => summary(t, deviceById.get(t.deviceId), userById.get(t.userId))) };
  });

  app.get('/tickets/:id', async (request): Promise<AdminTicketDetail> => detail(await ticketOf(request)));

  app.get('/tickets/:id/bundle', async (request, reply) => {
    const ticket = await ticketOf(request);
    if (!ticket.bundle) throw new WaygateError('NOT_FOUND', 'This ticket came without a diagnostics bundle.');
    await ctx.audit(guard.actor(request).id, 'ticket.bundle.download', ticket.id);
    return reply
      .type('application/octet-stream')
      .header('content-disposition', `attachment; filename="${bundleFileName(ticket.id, ticket.bundle)}"`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .send(Buffer.from(ticket.bundle));
  });

  app.post('/tickets/:id/close', async (request): Promise<AdminTicketDetail> => {
    const ticket = await ticketOf(request);
    if (ticket.status !== 'closed') {
      await ctx.store.updateTicket(ticket.id, { status: 'closed' });
      await ctx.audit(guard.actor(request).id, 'ticket.close', ticket.id, { subject: ticket.subject });
    }
    return detail({ ...ticket, status: 'closed' });
  });
}

/**
 * Admin API: the policy document — current version, history, one version, save a new version,
 * and simulate what a version (or an unsaved draft) does for a person, device and URL.
 *
 * Versions are append-only: a save adds version N+1, so every earlier policy stays readable and
 * devices report which one they run. A save names the version it was edited from (`baseVersion`)
 * so two admins editing at once do not silently overwrite each other.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { WaygateError } from '../../../protocol/errors.js';
import {
  SavePolicyRequest,
  SimulateRequest,
  type PolicyHistory,
  type PolicyVersionDetail,
  type PolicyVersionSummary,
  type SimulateResponse,
} from '../../../protocol/portal-admin.js';
import { parseInput } from '../parse-input.js';
import type { PortalContext } from '../context.js';
import { simulate } from '../policy/simulate.js';
import { validatePolicy } from '../policy/validate.js';
import type { PolicyVersion, User } from '../store/store.js';
import type { AdminGuard } from './admin-guard.js';
import { VersionParams } from './params.js';
import { userRef } from './refs.js';

/** The validated policy, or INVALID_POLICY with every problem and its path. */
function validOrThrow(document: unknown, what: string) {
  const result = validatePolicy(document);
  if (result.ok) return result.policy;
  const count = result.errors.length;
  throw new WaygateError('INVALID_POLICY', `${what} has ${count} problem${count === 1 ? '' : 's'}; each is listed with its path in details.errors.`, {
    errors: result.errors,
  });
}

export function registerPolicyRoutes(app: FastifyInstance, ctx: PortalContext, guard: AdminGuard): void {
  async function authors(): Promise<Map<string, User>> {
    return new Map((await ctx.store.listUsers(ctx.org.id)).map((u) => [u.id, u]));
  }

  function summary(v: Omit<PolicyVersion, 'document'>, byId: Map<string, User>): PolicyVersionSummary {
    return { version: v.version, createdAt: v.createdAt, createdBy: v.createdBy === null ? null : userRef(byId.get(v.createdBy)), comment: v.comment };
  }

  async function detail(v: PolicyVersion): Promise<PolicyVersionDetail> {
    return { ...summary(v, await authors()), document: v.document };
  }

  async function current(): Promise<PolicyVersion> {
    const policy = await ctx.store.currentPolicy(ctx.org.id);
    if (!policy) throw new WaygateError('NOT_FOUND', 'This organisation has no policy yet; save one with PUT /api/v1/admin/policy.');
    return policy;
  }

  const versionOf = (request: FastifyRequest): Promise<PolicyVersion> => storedVersion(ctx, parseInput(VersionParams, request.params, 'path').version);

  app.get('/policy', async (): Promise<PolicyVersionDetail> => detail(await current()));

  app.get('/policy/versions', async (): Promise<PolicyHistory> => {
    const [versions, byId] = await Promise.all([ctx.store.listPolicyVersions(ctx.org.id), authors()]);
    return { versions: versions.sort((a, b) => b.version - a.version).map((v) => summary(v, byId)) };
  });

  app.get('/policy/versions/:version', async (request): Promise<PolicyVersionDetail> => detail(await versionOf(request)));

  app.put('/policy', async (request): Promise<PolicyVersionDetail> => {
    const actor = guard.actor(request);
    const body = parseInput(SavePolicyRequest, request.body);
    const latest = await ctx.store.currentPolicy(ctx.org.id);
    if (body.baseVersion !== undefined && latest && body.baseVersion !== latest.version) {
      throw new WaygateError(
        'CONFLICT',
        `The policy changed since you opened it: you edited version ${body.baseVersion}, the current one is ${latest.version}. Reload, merge your changes and save again.`,
        { currentVersion: latest.version },
      );
    }
    const policy = validOrThrow(body.document, 'The policy');
    const saved = await ctx.store.addPolicyVersion({ orgId: ctx.org.id, document: policy, createdAt: ctx.now(), createdBy: actor.id, comment: body.comment });
    await ctx.audit(actor.id, 'policy.save', String(saved.version), { version: saved.version, comment: body.comment, baseVersion: body.baseVersion ?? null });
    return detail(saved);
  });

  app.post('/policy/simulate', async (request): Promise<SimulateResponse> => {
    const body = parseInput(SimulateRequest, request.body);
    const document =
      body.document !== undefined ? body.document : body.version !== undefined ? (await storedVersion(ctx, body.version)).document : (await current()).document;
    const policy = validOrThrow(document, body.document !== undefined ? 'The draft policy' : 'The stored policy');
    return simulate(policy, { userEmail: body.userEmail.toLowerCase(), groups: body.groups, os: body.os, networkType: body.networkType, url: body.url });
  });
}

async function storedVersion(ctx: PortalContext, version: number): Promise<PolicyVersion> {
  const found = await ctx.store.getPolicyVersion(ctx.org.id, version);
  if (!found) throw new WaygateError('NOT_FOUND', `There is no policy version ${version}; GET /api/v1/admin/policy/versions lists them.`);
  return found;
}

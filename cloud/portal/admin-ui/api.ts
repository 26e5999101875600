/**
 * The admin API as the console uses it: one method per endpoint of protocol/portal-admin.ts, each
 * reply validated by its schema (http.ts). The client carries the session's CSRF token, taken from
 * GET /auth/session when the console starts.
 */
import { z } from 'zod';
import {
  ADMIN_API_PREFIX,
  AdminDevice,
  AdminEnrollmentToken,
  AdminGroup,
  AdminTicketDetail,
  AdminUser,
  AuditPage,
  CreateEnrollmentTokenResponse,
  CreateUserResponse,
  Dashboard,
  DeviceList,
  EnrollmentTokenList,
  GroupList,
  OneTimeCodeResponse,
  PolicyHistory,
  PolicyVersionDetail,
  SessionInfo,
  TicketList,
  UserList,
  type CreateEnrollmentTokenRequest,
  type CreateUserRequest,
  type SavePolicyRequest,
  type SimulateRequest,
  type UpdateUserRequest,
} from '../../../protocol/portal-admin.js';
import { WaygateError } from '../../../protocol/errors.js';
import { SimulationResult } from '../../../protocol/policy.js';
import { request, type HttpOptions, type Method } from './http.js';

const A = ADMIN_API_PREFIX;
/** 204 No Content: nothing to validate. */
const Nothing = z.undefined();

/** GET /auth/session: who is signed in, or null when nobody is (the console then sends them to sign in). */
export async function loadSession(): Promise<SessionInfo | null> {
  try {
    return await request({ csrfToken: null }, SessionInfo, 'GET', '/auth/session');
  } catch (err) {
    if (err instanceof WaygateError && (err.code === 'UNAUTHENTICATED' || err.code === 'MFA_REQUIRED')) return null;
    throw err;
  }
}

export type AdminApi = ReturnType<typeof createAdminApi>;

export function createAdminApi(options: HttpOptions) {
  const call = <S extends z.ZodType>(schema: S, method: Method, path: string, body?: unknown) => request(options, schema, method, path, body);
  const id = encodeURIComponent;
  return {
    signOut: () => call(Nothing, 'POST', '/auth/sign-out'),

    dashboard: () => call(Dashboard, 'GET', `${A}/dashboard`),

    devices: () => call(DeviceList, 'GET', `${A}/devices`),
    device: (deviceId: string) => call(AdminDevice, 'GET', `${A}/devices/${id(deviceId)}`),
    devicesCsvUrl: `${A}/devices.csv`,
    revokeDevice: (deviceId: string) => call(AdminDevice, 'POST', `${A}/devices/${id(deviceId)}/revoke`),
    removeDevice: (deviceId: string) => call(Nothing, 'DELETE', `${A}/devices/${id(deviceId)}`),
    oneTimeCode: (deviceId: string, kind: 'disable' | 'logout') => call(OneTimeCodeResponse, 'POST', `${A}/devices/${id(deviceId)}/one-time-codes`, { kind }),

    policy: () => call(PolicyVersionDetail, 'GET', `${A}/policy`),
    policyVersion: (version: number) => call(PolicyVersionDetail, 'GET', `${A}/policy/versions/${version}`),
    policyHistory: () => call(PolicyHistory, 'GET', `${A}/policy/versions`),
    savePolicy: (body: SavePolicyRequest) => call(PolicyVersionDetail, 'PUT', `${A}/policy`, body),
    simulate: (body: SimulateRequest) => call(SimulationResult, 'POST', `${A}/policy/simulate`, body),

    users: () => call(UserList, 'GET', `${A}/users`),
    createUser: (body: CreateUserRequest) => call(CreateUserResponse, 'POST', `${A}/users`, body),
    updateUser: (userId: string, body: UpdateUserRequest) => call(AdminUser, 'PATCH', `${A}/users/${id(userId)}`, body),
    setUserGroups: (userId: string, groupIds: string[]) => call(AdminUser, 'PUT', `${A}/users/${id(userId)}/groups`, { groupIds }),
    groups: () => call(GroupList, 'GET', `${A}/groups`),
    createGroup: (name: string) => call(AdminGroup, 'POST', `${A}/groups`, { name }),
    deleteGroup: (groupId: string) => call(Nothing, 'DELETE', `${A}/groups/${id(groupId)}`),

    enrollmentTokens: () => call(EnrollmentTokenList, 'GET', `${A}/enrollment-tokens`),
    createEnrollmentToken: (body: CreateEnrollmentTokenRequest) => call(CreateEnrollmentTokenResponse, 'POST', `${A}/enrollment-tokens`, body),
    revokeEnrollmentToken: (tokenId: string) => call(AdminEnrollmentToken, 'POST', `${A}/enrollment-tokens/${id(tokenId)}/revoke`),

    tickets: () => call(TicketList, 'GET', `${A}/tickets`),
    ticket: (ticketId: string) => call(AdminTicketDetail, 'GET', `${A}/tickets/${id(ticketId)}`),
    closeTicket: (ticketId: string) => call(AdminTicketDetail, 'POST', `${A}/tickets/${id(ticketId)}/close`),

    audit: (before: number | null, limit = 50) => call(AuditPage, 'GET', `${A}/audit?limit=${limit}${before ? `&before=${before}` : ''}`),
  };
}

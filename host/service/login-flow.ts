/**
 * Signing the device in: the RFC 8628 device flow (a code the user approves in the portal), or —
 * for managed browsers with an enrollment token — the enrollment-token grant, which needs no one at
 * the portal. One sign-in at a time; a new one cancels the one in progress.
 */
import { WaygateError, toWireError } from '../../protocol/errors.js';
import type { LoginProgress, LoginRequest } from '../../protocol/localapi.js';
import { CLIENT_ID, ENROLLMENT_TOKEN_GRANT, type DeviceTokenResponse } from '../../protocol/portal.js';
import { accountOf } from '../../core/account.js';
import { abortableSleep, pollForApproval } from '../../core/device-flow.js';
import { PortalClient } from '../../core/portal-client.js';
import type { Logger } from '../log.js';
import { deviceFacts } from './fingerprint.js';
import type { Enrollment } from './state-files.js';

export interface LoginFlowDeps {
  defaultPortalUrl: string;
  now: () => number;
  logger: Logger;
  onProgress(progress: LoginProgress | null): void;
  onEnrolled(enrollment: Enrollment): Promise<void>;
  client?: (portalUrl: string) => PortalClient;
}

export class LoginFlow {
  private running: AbortController | null = null;

  constructor(private readonly deps: LoginFlowDeps) {}

  /**
   * Starts signing in. The device flow resolves once the code is ready to show (progress `waiting`)
   * and finishes in the background; the enrollment-token grant resolves once enrolled.
   */
  async start(request: LoginRequest): Promise<void> {
    this.cancel();
    const portalUrl = request.portalUrl ?? this.deps.defaultPortalUrl;
    const client = this.deps.client?.(portalUrl) ?? new PortalClient(portalUrl);
    const facts = deviceFacts();
    const deviceName = request.deviceName ?? facts.hostname;
    if (request.enrollmentToken !== undefined) {
      if (request.userEmail === undefined) throw new WaygateError('BAD_REQUEST', 'Zero-touch sign-in needs the user’s email with the enrollment token.');
      const outcome = await client.token({
        grant_type: ENROLLMENT_TOKEN_GRANT,
        client_id: CLIENT_ID,
        enrollment_token: request.enrollmentToken,
        user_email: request.userEmail,
        device_name: deviceName,
        os: facts.os,
        os_version: facts.osVersion,
      });
      if (outcome.kind === 'error') {
        throw new WaygateError('LOGIN_FAILED', `The portal refused the enrollment token: ${outcome.error.error_description ?? outcome.error.error}.`, {
          reason: outcome.error.error,
        });
      }
      await this.deps.onEnrolled(this.enrollmentOf(outcome.response, portalUrl, deviceName));
      return;
    }

    const code = await client.authorize({ device_name: deviceName, os: facts.os, os_version: facts.osVersion });
    const controller = new AbortController();
    this.running = controller;
    this.deps.onProgress({
      state: 'waiting',
      userCode: code.user_code,
      verificationUri: code.verification_uri,
      verificationUriComplete: code.verification_uri_complete,
      expiresAt: new Date(this.deps.now() + code.expires_in * 1000).toISOString(),
    });
    this.deps.logger.info({ portal: portalUrl, verificationUri: code.verification_uri }, 'login: waiting for approval in the portal');
    void pollForApproval(code, { client, now: this.deps.now, sleep: abortableSleep, signal: controller.signal })
      .then(async (response) => {
        if (this.running !== controller) return;
        this.running = null;
        await this.deps.onEnrolled(this.enrollmentOf(response, portalUrl, deviceName));
      })
      .catch((err: unknown) => {
        if (this.running !== controller) return;
        this.running = null;
        const error = toWireError(err);
        this.deps.logger.warn({ code: error.code, message: error.message }, 'login: sign-in did not complete');
        this.deps.onProgress({ state: 'failed', error });
      });
  }

  cancel(): void {
    this.running?.abort();
    this.running = null;
  }

  private enrollmentOf(response: DeviceTokenResponse, portalUrl: string, deviceName: string): Enrollment {
    const account = accountOf(response, portalUrl, deviceName, this.deps.now());
    return { account, credential: response.device_credential, portalKeys: response.portal_keys.keys };
  }
}

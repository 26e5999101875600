/**
 * `waygate login`: asks the service to sign in, prints where to approve it (the URL, the code and a
 * QR code for a phone), then follows the service's status until the sign-in completes or fails.
 */
import { renderUnicodeCompact } from 'uqr';
import { WaygateError } from '../../protocol/errors.js';
import type { LoginRequest, Status } from '../../protocol/localapi.js';
import { LocalApiClient } from '../client/localapi-client.js';

export interface LoginFlags {
  portalUrl?: string;
  enrollmentToken?: string;
  userEmail?: string;
  deviceName?: string;
  qr: boolean;
}

export async function loginCommand(socketPath: string, flags: LoginFlags, print: (line: string) => void): Promise<void> {
  const client = new LocalApiClient(socketPath);
  try {
    const request: LoginRequest = {
      ...(flags.portalUrl ? { portalUrl: flags.portalUrl } : {}),
      ...(flags.enrollmentToken ? { enrollmentToken: flags.enrollmentToken } : {}),
      ...(flags.userEmail ? { userEmail: flags.userEmail } : {}),
      ...(flags.deviceName ? { deviceName: flags.deviceName } : {}),
    };
    const started = await client.request('login', request);
    if (started.account) return print(signedIn(started));
    const login = started.login;
    if (login?.state !== 'waiting') throw new WaygateError('LOGIN_FAILED', 'The service did not start a sign-in.');
    print(`To sign in, open\n\n  ${login.verificationUriComplete}\n\nand check that it shows the code ${login.userCode}.`);
    if (flags.qr) print(`\n${renderUnicodeCompact(login.verificationUriComplete)}`);
    print(`Waiting for approval (the code expires at ${new Date(login.expiresAt).toLocaleTimeString()})…`);
    const stopProgress = showProgress(Date.parse(login.expiresAt));
    let done: Status;
    try {
      done = await untilDone(client);
    } finally {
      stopProgress();
    }
    print(signedIn(done));
  } finally {
    await client.close();
  }
}

/** Follows the status until the sign-in completes (resolves) or fails (throws its error). */
async function untilDone(client: LocalApiClient): Promise<Status> {
  let handle: Awaited<ReturnType<LocalApiClient['watch']>> | undefined;
  const outcome = new Promise<Status>((resolve, reject) => {
    void client
      .watch((event) => {
        const { status } = event;
        if (status.account) resolve(status);
        else if (status.login?.state === 'failed') reject(WaygateError.fromWire(status.login.error));
        else if (status.login === null) reject(new WaygateError('LOGIN_FAILED', 'The sign-in was cancelled.', { reason: 'cancelled' }));
      })
      .then((h) => {
        handle = h;
        h.done.catch(reject);
      }, reject);
  });
  try {
    return await outcome;
  } finally {
    handle?.close();
  }
}

/** On a terminal, a line that counts down the code's life while we wait; nothing when piped. */
function showProgress(expiresAtMs: number): () => void {
  if (!process.stderr.isTTY) return () => undefined;
  const render = () => {
    const left = Math.max(0, Math.round((expiresAtMs - Date.now()) / 1000));
    process.stderr.write(`\r  waiting for approval — ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left `);
  };
  render();
  const timer = setInterval(render, 1000);
  return () => {
    clearInterval(timer);
    process.stderr.write('\r\x1b[K');
  };
}

function signedIn(status: Status): string {
  const account = status.account;
  if (!account) return 'Not signed in.';
  return `Signed in as ${account.user.email} (${account.org.name}); this device is "${account.deviceName}".`;
}

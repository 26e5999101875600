/**
 * The pages of the device verification flow (RFC 8628 §3.3): enter the code, confirm the device,
 * see the result. Pure renderers: data in, a page out.
 */
import type { DeviceAuthorization } from '../store/store.js';
import { html, type Html, type Page } from './html.js';

const OS_NAMES: Record<string, string> = { linux: 'Linux', macos: 'macOS', windows: 'Windows', chromeos: 'ChromeOS' };

function page(title: string, body: Html): Page {
  return { title, body };
}

function signedInAs(email: string): Html {
  return html`<p>Signed in as ${email}.</p>`;
}

function problem(message: string | undefined): Html {
  return message ? html`<p class="error" role="alert">${message}</p>` : html``;
}

export function codeEntryPage(email: string, prefill: string, error?: string): Page {
  return page(
    'Connect a device',
    html`<h1>Connect a device</h1>
${problem(error)}
<form method="get" action="/device">
<label for="user_code">Enter the code shown on your device</label>
<input type="text" id="user_code" name="user_code" value="${prefill}" autocomplete="off" autocapitalize="characters" spellcheck="false" required aria-describedby="code-hint"${error ? html` aria-invalid="true"` : html``}>
<p id="code-hint">It looks like WDJB-MJHT.</p>
<button type="submit">Continue</button>
</form>
${signedInAs(email)}`,
  );
}

export function confirmPage(auth: DeviceAuthorization, csrfToken: string, email: string, now: number): Page {
  const minutesLeft = Math.max(1, Math.ceil((auth.expiresAt - now) / 60_000));
  return page(
    'Approve this device?',
    html`<h1>Approve this device?</h1>
<p>A device is asking to join your organisation's network as you. Check that the code matches the one on your device.</p>
<dl>
<dt>Code</dt><dd><strong>${auth.userCode}</strong></dd>
<dt>Device</dt><dd>${auth.deviceName}</dd>
<dt>System</dt><dd>${OS_NAMES[auth.os] ?? auth.os}</dd>
<dt>Version</dt><dd>${auth.osVersion || 'not reported'}</dd>
</dl>
<p><strong>Approve only if you started this on your own device just now.</strong> If someone sent you this code or link, choose Deny.</p>
<form method="post" action="/device/approve">
<input type="hidden" name="_csrf" value="${csrfToken}">
<input type="hidden" name="user_code" value="${auth.userCode}">
<button type="submit">Approve</button>
<button type="submit" class="secondary" formaction="/device/deny">Deny</button>
</form>
<p>The request expires in ${minutesLeft} min.</p>
${signedInAs(email)}`,
  );
}

export function approvedPage(deviceName: string, limitProblem: string | null): Page {
  if (limitProblem) {
    return page(
      'Device limit reached',
      html`<h1>Device limit reached</h1>
<p class="error" role="alert">${limitProblem}</p>
<p>${deviceName} will show that it could not sign in.</p>`,
    );
  }
  return page(
    'Device approved',
    html`<h1>Device approved</h1>
<p>You can close this tab; your device ${deviceName} is signing in.</p>`,
  );
}

export function deniedPage(deviceName: string): Page {
  return page(
    'Device denied',
    html`<h1>Device denied</h1>
<p>${deviceName} will not be signed in. You can close this tab.</p>
<p>If you did not start this yourself, tell your administrator: someone may be trying to use your account.</p>`,
  );
}

export function problemPage(title: string, message: string): Page {
  return page(
    title,
    html`<h1>${title}</h1>
${problem(message)}
<p><a href="/device">Start again</a></p>`,
  );
}

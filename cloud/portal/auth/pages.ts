/**
 * The server-rendered sign-in pages: password, TOTP code, "signed in as", and errors. Plain forms
 * that work without JavaScript; every value is escaped; errors are announced to screen readers
 * (role="alert") and tied to the form they are about.
 */
import type { FastifyReply } from 'fastify';
import { CSRF_FIELD } from './csrf.js';
import { escapeHtml as e, sendPage } from './html.js';
import { BAD_RETURN_TO } from './return-to.js';

export interface SignInPageModel {
  orgName: string;
  returnTo: string;
  email?: string;
  error?: string;
  /** The label of the single sign-on button, when OIDC is configured. */
  oidcLabel?: string;
}

function errorBlock(error: string | undefined): string {
  return error ? `<p class="error" role="alert" id="form-error">${e(error)}</p>` : '';
}

function describedBy(error: string | undefined): string {
  return error ? ' aria-describedby="form-error"' : '';
}

export function signInPage(reply: FastifyReply, status: number, m: SignInPageModel): FastifyReply {
  const oidc = m.oidcLabel
    ? `<p class="or">or</p><a class="button secondary" href="/auth/oidc/start?return_to=${e(encodeURIComponent(m.returnTo))}">${e(m.oidcLabel)}</a>`
    : '';
  return sendPage(
    reply,
    status,
    'Sign in',
    `<h1>Sign in to ${e(m.orgName)}</h1>
${errorBlock(m.error)}
<form method="post" action="/auth/sign-in"${describedBy(m.error)}>
<input type="hidden" name="return_to" value="${e(m.returnTo)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required autofocus value="${e(m.email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
${oidc}`,
  );
}

export interface TotpPageModel {
  returnTo: string;
  csrfToken: string;
  error?: string;
}

export function totpPage(reply: FastifyReply, status: number, m: TotpPageModel): FastifyReply {
  return sendPage(
    reply,
    status,
    'Two-step verification',
    `<h1>Two-step verification</h1>
<p id="totp-help">Open your authenticator app and enter the 6-digit code it shows for Waygate.</p>
${errorBlock(m.error)}
<form method="post" action="/auth/totp"${describedBy(m.error)}>
<input type="hidden" name="${CSRF_FIELD}" value="${e(m.csrfToken)}">
<input type="hidden" name="return_to" value="${e(m.returnTo)}">
<label for="code">Code</label>
<input id="code" name="code" type="text" inputmode="numeric" pattern="[0-9 ]{6,7}" maxlength="7" autocomplete="one-time-code" required autofocus aria-describedby="totp-help">
<button type="submit">Verify</button>
</form>`,
  );
}

export interface SignedInPageModel {
  name: string;
  email: string;
  csrfToken: string;
  isAdmin: boolean;
}

export function signedInPage(reply: FastifyReply, m: SignedInPageModel): FastifyReply {
  const consoleLink = m.isAdmin ? `<a class="button" href="/admin/">Open the admin console</a>` : '';
  return sendPage(
    reply,
    200,
    'Signed in',
    `<h1>You are signed in</h1>
<p>Signed in as <strong>${e(m.name)}</strong> (${e(m.email)}).</p>
${consoleLink}
<form method="post" action="/auth/sign-out">
<input type="hidden" name="${CSRF_FIELD}" value="${e(m.csrfToken)}">
<button type="submit" class="secondary">Sign out</button>
</form>`,
  );
}

export function messagePage(reply: FastifyReply, status: number, title: string, message: string, link?: { href: string; label: string }): FastifyReply {
  const action = link ? `<a class="button" href="${e(link.href)}">${e(link.label)}</a>` : '';
  return sendPage(reply, status, title, `<h1>${e(title)}</h1>\n<p role="alert">${e(message)}</p>\n${action}`);
}

/** The answer to a return_to that would leave the portal. */
export function badReturnTo(reply: FastifyReply): FastifyReply {
  return messagePage(reply, 400, 'Link not allowed', BAD_RETURN_TO, { href: '/auth/sign-in', label: 'Go to the sign-in page' });
}

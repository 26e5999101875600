/**
 * Single sign-on with OpenID Connect: authorization code flow with PKCE (S256), state and nonce.
 * GET /auth/oidc/start sends the browser to the IdP; GET /auth/oidc/callback checks the answer,
 * finds or creates the user, syncs their groups and starts a session.
 *
 * A session from the IdP counts as complete (mfaPassed): the IdP enforces its own second factor,
 * and asking for the portal's TOTP on top would make SSO users keep two authenticators.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import * as client from 'openid-client';
import { z } from 'zod';
import { WaygateError, httpStatusOf } from '../../../../protocol/errors.js';
import type { AuthServices } from '../auth-services.js';
import { badReturnTo, messagePage } from '../pages.js';
import { parseInput } from '../../parse-input.js';
import { defaultLanding, seeOther } from '../respond.js';
import { optionalReturnTo, safeReturnTo } from '../return-to.js';
import { OidcClient, redirectUri } from './oidc-client.js';
import { identityFromClaims } from './oidc-identity.js';
import { TRANSACTION_TTL_MS, saveTransaction, takeTransaction } from './oidc-transaction.js';
import { resolveOidcUser, syncOidcGroups } from './oidc-users.js';

const StartQuery = z.object({ return_to: z.string().optional() });
const RETRY = { href: '/auth/sign-in', label: 'Back to sign-in' };

export function registerOidcRoutes(app: FastifyInstance, auth: AuthServices): void {
  const { ctx, sessions } = auth;
  const settings = ctx.config.oidc;
  if (!settings) return;
  const oidc = new OidcClient(settings);

  const unreachable = (reply: FastifyReply, err: unknown) => {
    ctx.logger.warn({ issuer: settings.issuer, error: err instanceof Error ? err.message : String(err) }, 'oidc: identity provider unavailable');
    return messagePage(reply, 502, 'Single sign-on unavailable', `The identity provider at ${settings.issuer} could not be reached. Try again in a minute, or sign in with a password.`, RETRY);
  };

  app.get('/auth/oidc/start', async (request, reply) => {
    const returnTo = optionalReturnTo(parseInput(StartQuery, request.query, 'query').return_to);
    if (returnTo === null) return badReturnTo(reply);
    let configuration: client.Configuration;
    try {
      configuration = await oidc.get();
    } catch (err) {
      return unreachable(reply, err);
    }
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    await saveTransaction(ctx, reply, { state, nonce, verifier, returnTo: returnTo ?? null, expiresAt: ctx.now() + TRANSACTION_TTL_MS });
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri(ctx.config.publicUrl),
      scope: oidc.scopes(configuration),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return seeOther(reply, url.href);
  });

  app.get('/auth/oidc/callback', async (request, reply) => {
    const tx = await takeTransaction(ctx, request, reply);
    if (!tx) {
      return messagePage(reply, 400, 'Sign-in expired', 'This single sign-on answer does not match a sign-in started here in the last ten minutes (or cookies are blocked). Start again.', RETRY);
    }
    let configuration: client.Configuration;
    try {
      configuration = await oidc.get();
    } catch (err) {
      return unreachable(reply, err);
    }

    let claims: Record<string, unknown>;
    try {
      const current = new URL(request.url, ctx.config.publicUrl);
      const callback = new URL(redirectUri(ctx.config.publicUrl));
      callback.search = current.search;
      const tokens = await client.authorizationCodeGrant(configuration, callback, {
        pkceCodeVerifier: tx.verifier,
        expectedState: tx.state,
        expectedNonce: tx.nonce,
      });
      const idClaims = tokens.claims();
      if (!idClaims) throw new Error('the identity provider sent no ID token');
      // Providers put profile claims (email, groups) in the ID token, in userinfo, or both.
      const userinfo = configuration.serverMetadata().userinfo_endpoint ? await client.fetchUserInfo(configuration, tokens.access_token, idClaims.sub) : {};
      claims = { ...idClaims, ...userinfo };
    } catch (err) {
      if (err instanceof client.AuthorizationResponseError) {
        ctx.logger.info({ error: err.error }, 'oidc: the identity provider refused the sign-in');
        return messagePage(reply, 403, 'Single sign-on refused', `The identity provider did not sign you in (${err.error_description ?? err.error}).`, RETRY);
      }
      ctx.logger.warn({ error: err instanceof Error ? err.message : String(err) }, 'oidc: callback failed');
      return messagePage(reply, 502, 'Single sign-on failed', 'The answer from the identity provider could not be verified. Start again; if it keeps failing, tell your administrator.', RETRY);
    }

    try {
      const identity = identityFromClaims(claims, settings.groupsClaim);
      const { user, how } = await resolveOidcUser(ctx, settings.issuer, identity);
      await syncOidcGroups(ctx, user.id, identity.groups);
      await sessions.start(request, reply, user, true);
      await ctx.audit(user.id, 'auth.sign-in', user.id, { method: 'oidc', account: how });
      ctx.logger.info({ userId: user.id, method: 'oidc', account: how }, 'auth: signed in');
      return seeOther(reply, safeReturnTo(tx.returnTo) ?? defaultLanding(user));
    } catch (err) {
      if (err instanceof WaygateError) return messagePage(reply, httpStatusOf(err.code), 'Single sign-on not possible', err.message, RETRY);
      // Logged here rather than by the server's handler, which would log the URL and its code.
      ctx.logger.error({ error: err instanceof Error ? err.message : String(err) }, 'oidc: sign-in failed after the provider answered');
      return messagePage(reply, 500, 'Single sign-on failed', 'Something went wrong on the portal while signing you in. Try again; if it keeps failing, tell your administrator.', RETRY);
    }
  });
}

/**
 * The Captive Portal API (RFC 8908): what a network's portal says about this device's captivity.
 *
 * The device GETs the API URI the network provisioned (DHCP/RA option, RFC 8910) with
 * `Accept: application/captive+json` and gets one JSON object back (RFC 8908 §5). The URI must be
 * https (§4); the host enforces that where it makes the request, not here.
 *
 * This is someone else's wire format, so it carries no Waygate version, and its object is not strict:
 * the keys live in an IANA registry that grows, and a key we do not know yet must not make a
 * portal's answer unreadable. Unknown keys are dropped at parse time.
 */
import { z } from 'zod';

export const CAPPORT_CONTENT_TYPE = 'application/captive+json';

/** A web page the user may be sent to; only http(s), so a portal cannot hand us a `javascript:` or `file:` link. */
const WebUrl = z.url({ protocol: /^https?$/ });

export const CapportState = z.object({
  /** True while the device has not yet met the portal's conditions (signed in, accepted the terms). */
  captive: z.boolean(),
  /** Where the user signs in; RFC 8908 requires it to be reached over TLS. */
  'user-portal-url': WebUrl.optional(),
  /** The venue's own information page (maps, flight times), not needed to get out of captivity. */
  'venue-info-url': WebUrl.optional(),
  /** The portal page can extend a session that is running out. */
  'can-extend-session': z.boolean().optional(),
  /** Seconds until the device is captive again; sent for time-limited sessions that are not captive. */
  'seconds-remaining': z.number().int().nonnegative().optional(),
  /** Bytes (sent and received together) until the device is captive again. */
  'bytes-remaining': z.number().int().nonnegative().optional(),
});
export type CapportState = z.infer<typeof CapportState>;

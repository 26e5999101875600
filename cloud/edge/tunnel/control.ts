/**
 * Reading the device's text frames: JSON, then the `DeviceControl` schema. A frame that fails is a
 * broken or hostile device and ends the session; the verdict says with which close code.
 */
import { DeviceControl, TUNNEL_CLOSE, TUNNEL_PROTOCOL_VERSION, type TunnelCloseCode } from '../../../protocol/tunnel.js';

/** A token is the largest control message; nothing legitimate comes near this. */
export const MAX_CONTROL_BYTES = 16 * 1024;

export type ControlRead = { readonly ok: true; readonly message: DeviceControl } | { readonly ok: false; readonly closeCode: TunnelCloseCode; readonly problem: string };

export function readDeviceControl(frame: Buffer): ControlRead {
  if (frame.length > MAX_CONTROL_BYTES) return fail(TUNNEL_CLOSE.PROTOCOL_ERROR, `A control message of ${frame.length} bytes exceeds ${MAX_CONTROL_BYTES}.`);
  let json: unknown;
  try {
    json = JSON.parse(frame.toString('utf8'));
  } catch {
    return fail(TUNNEL_CLOSE.PROTOCOL_ERROR, 'A text frame is not JSON.');
  }
  const parsed = DeviceControl.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  if (isObject(json) && 'v' in json && json.v !== TUNNEL_PROTOCOL_VERSION) {
    return fail(TUNNEL_CLOSE.UNSUPPORTED_VERSION, `The device speaks tunnel protocol version ${JSON.stringify(json.v)}; this edge speaks ${TUNNEL_PROTOCOL_VERSION}.`);
  }
  const issue = parsed.error.issues[0];
  return fail(TUNNEL_CLOSE.PROTOCOL_ERROR, `A control message is malformed at ${issue?.path.join('.') || 'the top level'}: ${issue?.message ?? 'unknown problem'}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function fail(closeCode: TunnelCloseCode, problem: string): ControlRead {
  return { ok: false, closeCode, problem };
}

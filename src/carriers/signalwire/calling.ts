// Calling (signalwire/docs specs/signalwire-rest/calling-api/calls: one POST endpoint, a `command` each).
import { ServiceError } from '../../errors.js';
import { call, CALLS, type SignalWireConn } from './http.js';

export interface DialParams {
  /** A number of the space, or a verified caller ID. */
  from: string;
  /** E.164, or a SIP URI (then `username`/`password` answer its digest challenge). */
  to: string;
  /** The SWML the placed call runs once answered (an object: the current spec's SWMLObject). */
  swml: object;
  username?: string;
  password?: string;
  /** Ring timeout in seconds (1-600). */
  timeoutSec?: number;
}

export interface PlacedCall {
  id: string;
  status: string | null;
  from: string;
  to: string;
}

/** Places a call; SignalWire answers at once (status queued) and the call proceeds on its own. */
export async function dialCall(conn: SignalWireConn, p: DialParams): Promise<PlacedCall> {
  const params: Record<string, unknown> = { from: p.from, to: p.to, swml: p.swml };
  if (p.username) params.username = p.username;
  if (p.password) params.password = p.password;
  if (p.timeoutSec) params.timeout = p.timeoutSec;
  const body = await call<WireCall>(conn, { method: 'POST', path: CALLS, body: { command: 'dial', params }, what: `place a call from ${p.from}`, scope: 'Voice', secrets: [p.password] });
  if (!body || typeof body.id !== 'string') throw new ServiceError('SignalWire', `SignalWire answered the call request without a call id: look for it under SignalWire → Logs → Voice and end it there`);
  return { id: body.id, status: body.status ?? null, from: body.from ?? p.from, to: body.to ?? p.to };
}

/** Hangs the call up (`calling.end`); a call that already ended is fine. */
export async function endCall(conn: SignalWireConn, id: string): Promise<void> {
  try {
    await call(conn, { method: 'POST', path: CALLS, body: { command: 'calling.end', id, params: { reason: 'hangup' } }, what: 'end the test call', scope: 'Voice' });
  } catch (err) {
    // 404/422: SignalWire no longer knows it as a live call, so there is nothing left to end.
    if (err instanceof ServiceError && /\((404|422)\b/.test(err.message)) return;
    throw err;
  }
}

interface WireCall {
  id?: string;
  status?: string | null;
  from?: string;
  to?: string;
}

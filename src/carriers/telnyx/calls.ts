// A test call placed through Telnyx Call Control (spec3.json): `POST /v2/calls` needs the id of a Call Control
// application as its connection_id (not the FQDN connection), so one is found by name or created; `to`, `from` (a
// number of the account), `timeout_secs` (ringing) and `time_limit_secs` (at least 30 in CallRequest). Ended with
// `POST /v2/calls/{call_control_id}/actions/hangup`; followed with `GET /v2/calls/{call_control_id}` (`is_alive`).
// No spoken line: CallRequest takes an `audio_url` to play but no text, and speaking needs a command sent once the
// call is answered (a webhook we do not receive). The test call only has to reach LiveKit, so the caller side is
// silent and the check ends the call. The id the check holds names the call's leg too (`<call_control_id> leg
// <call_leg_id>`): commands take the call_control_id, but the call's events are filed under its leg (explain.ts).
import { ServiceError } from '../../errors.js';
import { DEFAULT_NAME } from '../../settings.js';
import type { CarrierTestCall } from '../carrier.js';
import { call, listAll, q, TelnyxError, type TelnyxConn } from './http.js';
import { listNumbers } from './route.js';

/** The Call Control application that places test calls, found again by this application_name. */
export const TEST_APP_NAME = `${DEFAULT_NAME} test call`;
/**
 * CreateCallControlApplicationRequest requires webhook_event_url. Nothing here listens for webhooks, so it names a
 * host reserved for examples (RFC 2606) that belongs to no one: Telnyx's events about the test call go nowhere.
 */
export const TEST_APP_WEBHOOK = 'https://example.com/create-sip-inbound/telnyx-events';
/** CallRequest.time_limit_secs: minimum 30, maximum 14400. */
const MIN_LIMIT = 30;
/** CallRequest.timeout_secs (ringing): 5 to 600 seconds, as its description says. */
const ring = (s: number) => Math.min(600, Math.max(5, s));

/** Our Call Control application's id, created on first use. */
export async function testApp(conn: TelnyxConn): Promise<string> {
  const rows = await listAll<{ id?: string; application_name?: string }>(conn, {
    method: 'GET',
    path: `/call_control_applications?filter[application_name][contains]=${q(TEST_APP_NAME)}`,
    what: 'list Call Control applications',
  });
  const found = rows.find((r) => r.id && r.application_name === TEST_APP_NAME);
  if (found?.id) return found.id;
  const body = { application_name: TEST_APP_NAME, webhook_event_url: TEST_APP_WEBHOOK };
  const made = await call<{ data?: { id?: string } }>(conn, { method: 'POST', path: '/call_control_applications', body, what: `create Call Control application "${TEST_APP_NAME}"` });
  if (!made?.data?.id) throw new ServiceError('Telnyx', 'Telnyx answered the Call Control application create without an id: rerun to retry');
  return made.data.id;
}

/** The test call's id: the call_control_id commands take, then the leg id its call events are filed under. */
export const testCallId = (control: string, leg?: string) => (leg ? `${control} leg ${leg}` : control);
/** The parts of a test call's id; an id without ` leg ` is a call_control_id alone. */
export function callIdParts(id: string): { control: string; leg?: string } {
  const m = /^(\S+) leg (\S+)$/.exec(id);
  return m ? { control: m[1]!, leg: m[2]! } : { control: id };
}

/** A call Telnyx no longer has in progress: nothing left to end or to follow (the exact code is *unverified*). */
const over = (err: unknown) => err instanceof TelnyxError && (err.status === 404 || err.status === 410 || err.status === 422);

export const telnyxTestCall: CarrierTestCall<TelnyxConn> = {
  callers: listNumbers,
  via: 'its FQDN connection',
  async dial(conn, p) {
    const app = await testApp(conn);
    const body = { connection_id: app, to: p.to, from: p.from, timeout_secs: ring(p.ringSec), time_limit_secs: Math.min(14400, Math.max(MIN_LIMIT, p.seconds)) };
    const res = await call<{ data?: { call_control_id?: string; call_leg_id?: string } }>(conn, { method: 'POST', path: '/calls', body, what: `place a call from ${p.from}` });
    const id = res?.data?.call_control_id;
    if (!id) throw new ServiceError('Telnyx', 'Telnyx answered the call request without a call_control_id: look for the call in the Telnyx portal and end it there');
    const leg = res.data?.call_leg_id;
    return testCallId(id, typeof leg === 'string' && leg ? leg : undefined);
  },
  async end(conn, id) {
    try {
      await call(conn, { method: 'POST', path: `/calls/${q(callIdParts(id).control)}/actions/hangup`, body: {}, what: 'end the test call' });
    } catch (err) {
      if (over(err)) return;
      throw err;
    }
  },
  async status(conn, id) {
    try {
      const res = await call<{ data?: { is_alive?: boolean } }>(conn, { method: 'GET', path: `/calls/${q(callIdParts(id).control)}`, what: 'read the test call' });
      const alive = res?.data?.is_alive;
      // The Call resource says only whether the call is alive: ringing and answered read the same.
      return alive === undefined ? null : alive ? 'in-progress' : 'completed';
    } catch (err) {
      if (over(err)) return 'completed';
      throw err;
    }
  },
};

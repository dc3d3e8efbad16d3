// A test call placed through Twilio (twilio_api_v2010.json): `POST …/Calls.json` with `To`, `From` (a number of
// the account), inline `Twiml` (≤ 4000 characters) that says one line, pauses and hangs up, a ring `Timeout` and a
// `TimeLimit`; ended with `POST …/Calls/{Sid}.json` `Status=completed`; followed with `GET …/Calls/{Sid}.json`.
import { ServiceError } from '../../errors.js';
import type { CarrierTestCall } from '../carrier.js';
import { call, type TwilioConn } from './http.js';
import { listNumbers } from './route.js';

const CALLS = (conn: TwilioConn) => `/2010-04-01/Accounts/${encodeURIComponent(conn.accountSid)}/Calls`;

/** TwiML for the caller's side: one line, silence for the rest, then hang up. */
export function callerTwiml(line: string, seconds: number): string {
  const text = line.replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);
  return `<Response><Say>${text}</Say><Pause length="${Math.max(1, seconds - 2)}"/><Hangup/></Response>`;
}

export const twilioTestCall: CarrierTestCall<TwilioConn> = {
  callers: listNumbers,
  via: 'its trunk',
  async dial(conn, p) {
    const form = { To: p.to, From: p.from, Twiml: callerTwiml(p.line, p.seconds), Timeout: p.ringSec, TimeLimit: p.seconds };
    const body = await call<{ sid?: string }>(conn, { api: 'api', method: 'POST', path: `${CALLS(conn)}.json`, form, what: `place a call from ${p.from}` });
    if (!body?.sid) throw new ServiceError('Twilio', 'Twilio answered the call request without a call SID: look for it under Twilio Console → Monitor → Calls and end it there');
    return body.sid;
  },
  async end(conn, id) {
    try {
      await call(conn, { api: 'api', method: 'POST', path: `${CALLS(conn)}/${encodeURIComponent(id)}.json`, form: { Status: 'completed' }, what: 'end the test call' });
    } catch (err) {
      // A call already over: Twilio no longer has it in progress, so there is nothing left to end.
      if (err instanceof ServiceError && /\((404|400)\b/.test(err.message)) return;
      throw err;
    }
  },
  async status(conn, id) {
    const body = await call<{ status?: string | null }>(conn, { api: 'api', method: 'GET', path: `${CALLS(conn)}/${encodeURIComponent(id)}.json`, what: 'read the test call' });
    return body?.status ?? null;
  },
};

// Routing a Twilio number to LiveKit SIP through Elastic SIP Trunking: our trunk (found again by its FriendlyName),
// its origination URL `sip:<LiveKit SIP domain>;transport=tcp`, and the number attached to the trunk. Lists take no
// name filter (twilio_trunking_v1.json), so the trunks and the trunk's URLs are listed and matched here.
import { ServiceError, UsageError } from '../../errors.js';
import type { Change } from '../../changes.js';
import { DEFAULT_NAME, type Values } from '../../settings.js';
import { call, listAll, type TwilioConn } from './http.js';

const ACCOUNT = (sid: string) => `/2010-04-01/Accounts/${encodeURIComponent(sid)}`;
const TRUNKS = '/v1/Trunks';

/** Where the number's calls should go: our trunk, and its origination URL. */
export interface TwilioTarget {
  trunkName: string;
  /** `sip:<LIVEKIT_SIP_DOMAIN>;transport=tcp`: LiveKit Cloud wants TCP (livekit/sip#583: 404 without it). */
  sipUrl: string;
}

export interface TwilioNumber {
  sid: string;
  phoneNumber: string;
  /** The trunk the number is attached to, or null. */
  trunkSid: string | null;
}

export interface OriginationUrl {
  sid: string;
  sipUrl: string;
  friendlyName: string;
}

export interface TwilioState {
  number: TwilioNumber;
  /** Our trunk (by FriendlyName), when it exists. */
  trunk?: { sid: string; friendlyName: string };
  /** Our trunk's origination URLs. */
  origins: OriginationUrl[];
}

/** The name our origination URL gets, found again by it. */
export const ORIGIN_NAME = 'LiveKit SIP';

export function twilioTarget(values: Values): TwilioTarget {
  return { trunkName: values.LIVEKIT_SIP_TRUNK_NAME ?? DEFAULT_NAME, sipUrl: `sip:${values.LIVEKIT_SIP_DOMAIN ?? ''};transport=tcp` };
}

/** The credentials work but the account holds no such number. */
export class NumberNotInAccountError extends UsageError {
  constructor(readonly e164: string) {
    super(`${e164} is not a number of this Twilio account: check --number (PHONE_NUMBER) and TWILIO_ACCOUNT_SID, or buy or port it under Twilio Console → Phone Numbers`);
    this.name = 'NumberNotInAccountError';
  }
}

/** One cheap read that proves the credentials: the account itself. */
export async function checkAccount(conn: TwilioConn): Promise<void> {
  await call(conn, { api: 'api', method: 'GET', path: `${ACCOUNT(conn.accountSid)}.json`, what: 'read the account', checksCredentials: true });
}

interface WireNumber {
  sid?: string;
  phone_number?: string;
  trunk_sid?: string | null;
}

export async function findNumber(conn: TwilioConn, e164: string): Promise<TwilioNumber> {
  const rows = await listAll<WireNumber>(
    conn,
    { api: 'api', method: 'GET', path: `${ACCOUNT(conn.accountSid)}/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(e164)}`, what: 'find the number' },
    'incoming_phone_numbers',
  );
  const row = rows.find((r) => r.phone_number === e164);
  if (!row?.sid) throw new NumberNotInAccountError(e164);
  return { sid: row.sid, phoneNumber: e164, trunkSid: row.trunk_sid ?? null };
}

export async function listNumbers(conn: TwilioConn): Promise<string[]> {
  const rows = await listAll<WireNumber>(conn, { api: 'api', method: 'GET', path: `${ACCOUNT(conn.accountSid)}/IncomingPhoneNumbers.json`, what: 'list phone numbers' }, 'incoming_phone_numbers');
  return rows.flatMap((r) => (r.phone_number ? [r.phone_number] : []));
}

export async function observeTwilio(conn: TwilioConn, e164: string, target: TwilioTarget): Promise<TwilioState> {
  await checkAccount(conn);
  const [number, trunks] = await Promise.all([
    findNumber(conn, e164),
    listAll<{ sid?: string; friendly_name?: string | null }>(conn, { api: 'trunking', method: 'GET', path: TRUNKS, what: 'list SIP trunks' }, 'trunks'),
  ]);
  const ours = trunks.filter((t) => t.sid && t.friendly_name === target.trunkName);
  // Several of our name (made by hand, say): prefer the one the number is on.
  const t = ours.find((x) => x.sid === number.trunkSid) ?? ours[0];
  if (!t?.sid) return { number, origins: [] };
  const rows = await listAll<{ sid?: string; sip_url?: string | null; friendly_name?: string | null }>(
    conn,
    { api: 'trunking', method: 'GET', path: `${TRUNKS}/${t.sid}/OriginationUrls`, what: 'list the trunk\'s origination URLs' },
    'origination_urls',
  );
  const origins = rows.flatMap((r) => (r.sid ? [{ sid: r.sid, sipUrl: r.sip_url ?? '', friendlyName: r.friendly_name ?? '' }] : []));
  return { number, trunk: { sid: t.sid, friendlyName: t.friendly_name! }, origins };
}

/** What must change on Twilio, old → new; none when the number is on our trunk and the trunk sends to LiveKit. */
export function planTwilio(conn: TwilioConn, e164: string, target: TwilioTarget, state: TwilioState): Change[] {
  const changes: Change[] = [];
  // A trunk this plan creates has its SID only once its change has run.
  const trunkSid = { value: state.trunk?.sid };
  const sid = () => {
    if (!trunkSid.value) throw new ServiceError('Twilio', `Twilio trunk "${target.trunkName}" has no SID yet: rerun to finish`);
    return trunkSid.value;
  };
  if (!state.trunk)
    changes.push({
      target: 'carrier',
      summary: `Twilio: create Elastic SIP trunk "${target.trunkName}"`,
      apply: async () => {
        const t = await call<{ sid?: string }>(conn, { api: 'trunking', method: 'POST', path: TRUNKS, form: { FriendlyName: target.trunkName }, what: `create trunk "${target.trunkName}"` });
        if (!t?.sid) throw new ServiceError('Twilio', 'Twilio answered the trunk create without a SID: rerun to retry');
        trunkSid.value = t.sid;
      },
    });
  const exact = state.origins.find((o) => o.sipUrl === target.sipUrl);
  const named = state.origins.find((o) => o.friendlyName === ORIGIN_NAME);
  if (!exact && named)
    changes.push({
      target: 'carrier',
      summary: `Twilio trunk "${target.trunkName}": origination URL ${named.sipUrl} → ${target.sipUrl}`,
      apply: async () => {
        await call(conn, { api: 'trunking', method: 'POST', path: `${TRUNKS}/${sid()}/OriginationUrls/${named.sid}`, form: { SipUrl: target.sipUrl }, what: 'update the origination URL' });
      },
    });
  else if (!exact)
    changes.push({
      target: 'carrier',
      summary: `Twilio trunk "${target.trunkName}": add origination URL ${target.sipUrl}`,
      apply: async () => {
        const form = { FriendlyName: ORIGIN_NAME, SipUrl: target.sipUrl, Weight: 10, Priority: 10, Enabled: true };
        await call(conn, { api: 'trunking', method: 'POST', path: `${TRUNKS}/${sid()}/OriginationUrls`, form, what: 'add the origination URL' });
      },
    });
  if (!state.trunk || state.number.trunkSid !== state.trunk.sid)
    changes.push({
      target: 'carrier',
      summary: `Twilio ${e164}: attach to trunk "${target.trunkName}" (now: ${state.number.trunkSid ? `trunk ${state.number.trunkSid}` : 'no trunk'})`,
      apply: async () => {
        await call(conn, { api: 'trunking', method: 'POST', path: `${TRUNKS}/${sid()}/PhoneNumbers`, form: { PhoneNumberSid: state.number.sid }, what: `attach ${e164} to the trunk` });
      },
    });
  return changes;
}

/**
 * For `remove`: take the number off our trunk; the trunk and its URL stay (other numbers may use them). The number
 * keeps its own voice settings beside `trunk_sid` (IncomingPhoneNumber in twilio_api_v2010.json); that Twilio
 * answers with them again once the number leaves the trunk is *unverified* against a real account.
 */
export function planUnrouteTwilio(conn: TwilioConn, e164: string, state: TwilioState): Change[] {
  const t = state.trunk;
  if (!t || state.number.trunkSid !== t.sid) return [];
  return [
    {
      target: 'carrier',
      summary: `Twilio ${e164}: detach from trunk "${t.friendlyName}" (trunk ${t.sid} → none)`,
      apply: async () => {
        await call(conn, { api: 'trunking', method: 'DELETE', path: `${TRUNKS}/${t.sid}/PhoneNumbers/${state.number.sid}`, what: `detach ${e164} from the trunk` });
      },
    },
  ];
}

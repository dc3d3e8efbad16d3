// A Twilio stand-in: the 2010-04-01 API (account, incoming numbers, calls), Elastic SIP Trunking v1 (trunks, their
// origination URLs and numbers) and Voice Insights v1 (a call's summary) on one loopback server, as strict as the published OpenAPI documents: every
// request's path, query and form body, and every answer, is checked against the fixtures in
// test/fixtures/twilio-oai/ (twilio/twilio-oai, the version named in each file's x-source). A request the
// document would refuse gets 400; an answer it does not describe fails the request with 500 and is recorded in
// `violations`, so a test asserts there were none. Auth is HTTP Basic AccountSid:AuthToken; errors take Twilio's
// shape { code, message, more_info, status } (FACTS.md "Other carriers"; 401 answers code 20003).
import { randomBytes } from 'node:crypto';
import { Answer, startLoopback, type Fault, type LoggedRequest } from './loopback.ts';
import { checkRequest, checkResponse, loadDoc, match, type Matched, type OpenApiDoc } from './openapi.ts';
import type { SipAnswer, SipDialer } from './sip-dialer.ts';

const API = loadDoc(new URL('../fixtures/twilio-oai/twilio_api_v2010.json', import.meta.url));
const TRUNKING = loadDoc(new URL('../fixtures/twilio-oai/twilio_trunking_v1.json', import.meta.url));
const INSIGHTS = loadDoc(new URL('../fixtures/twilio-oai/twilio_insights_v1.json', import.meta.url));

const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');

export interface TwilioNumberRow {
  sid: string;
  phone_number: string;
  trunk_sid: string | null;
  voice_url: string | null;
}
export interface TrunkRow {
  sid: string;
  friendly_name: string | null;
}
export interface OriginRow {
  sid: string;
  trunk_sid: string;
  sip_url: string;
  friendly_name: string;
  weight: number;
  priority: number;
  enabled: boolean;
}

export interface CallRow {
  sid: string;
  to: string;
  from: string;
  status: 'queued' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'failed' | 'no-answer' | 'canceled';
  twiml: string;
  /** The origination leg's SIP answer, once the trunk's URL answered. */
  sip?: { code: number; reason: string };
  /** Ended with Status=completed/canceled (the caller's side hung up). */
  endedByApi?: boolean;
}

export interface TwilioStandIn {
  url: string;
  accountSid: string;
  authToken: string;
  /** Every Twilio base-URL setting pointed at the stand-in. */
  urls(): { TWILIO_API_URL: string; TWILIO_TRUNKING_URL: string; TWILIO_INSIGHTS_URL: string };
  /** Its credentials and base URLs, as settings. */
  settings(): { TWILIO_ACCOUNT_SID: string; TWILIO_AUTH_TOKEN: string; TWILIO_API_URL: string; TWILIO_TRUNKING_URL: string; TWILIO_INSIGHTS_URL: string };
  requests: LoggedRequest[];
  numbers: Map<string, TwilioNumberRow>;
  trunks: Map<string, TrunkRow>;
  origins: Map<string, OriginRow>;
  calls: Map<string, CallRow>;
  /** Answers the stand-in gave that the published documents do not describe (should stay empty). */
  violations: string[];
  addNumber(e164: string, voiceUrl?: string): TwilioNumberRow;
  /** Requests that change something. */
  writes(): LoggedRequest[];
  fault(f: Fault): void;
  stop(): Promise<void>;
}

const error = (status: number, code: number, message: string) =>
  new Answer(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

/**
 * `dialer`: where a call to a number on a trunk goes, as Twilio's origination would send it (an INVITE to the
 * trunk's origination URL host, the called number in E.164 as the user part); without one such a call fails.
 */
export async function startTwilio(opts: { accountSid?: string; authToken?: string; dialer?: SipDialer; sourceAddress?: string } = {}): Promise<TwilioStandIn> {
  const accountSid = opts.accountSid ?? sid('AC');
  const authToken = opts.authToken ?? randomBytes(16).toString('hex');
  const numbers = new Map<string, TwilioNumberRow>();
  const trunks = new Map<string, TrunkRow>();
  const origins = new Map<string, OriginRow>();
  const violations: string[] = [];
  const calls = new Map<string, CallRow>();
  const legs = new Map<string, SipAnswer>();

  /** The call runs on its own: to a number on a trunk, an INVITE to the trunk's origination URL. */
  async function run(c: CallRow, limitSec: number) {
    const n = [...numbers.values()].find((x) => x.phone_number === c.to);
    const url = n?.trunk_sid ? [...origins.values()].find((o) => o.trunk_sid === n.trunk_sid && o.enabled)?.sip_url : undefined;
    const host = url && /^sip:([^;>]+)/.exec(url)?.[1];
    c.status = 'ringing';
    if (!host || !opts.dialer) return void (c.status = 'failed');
    // Sent from Twilio's Virginia signalling range unless told otherwise.
    const source = opts.sourceAddress ?? '54.172.60.1';
    const answer = await opts.dialer({ uri: `sip:${c.to}@${host};transport=tcp`, from: c.from, holdMs: limitSec * 1000, source });
    c.sip = { code: answer.code, reason: answer.reason };
    if (c.status !== 'ringing') return void (await answer.hangup());
    if (answer.code !== 200) return void (c.status = answer.code === 486 ? 'busy' : answer.code === 408 ? 'no-answer' : 'failed');
    c.status = 'in-progress';
    legs.set(c.sid, answer);
    await answer.ended;
    if (c.status === 'in-progress') c.status = 'completed';
  }
  // Insights' call_state for a call's status; the summary exists once the call is over (the stand-in's choice).
  const CALL_STATE: Partial<Record<CallRow['status'], string>> = { completed: 'completed', busy: 'busy', failed: 'fail', 'no-answer': 'noanswer', canceled: 'canceled' };
  const summaryWire = (c: CallRow) => ({
    account_sid: accountSid,
    call_sid: c.sid,
    call_type: 'trunking',
    call_state: CALL_STATE[c.status]!,
    processing_state: 'partial',
    properties: {
      direction: 'outbound_api',
      disconnected_by: c.endedByApi ? 'caller' : 'callee',
      ...(c.sip ? { last_sip_response_num: c.sip.code } : {}),
    },
  });
  const callWire = (c: CallRow) => ({ sid: c.sid, account_sid: accountSid, to: c.to, from: c.from, status: c.status, direction: 'outbound-api', api_version: '2010-04-01' });

  const numberWire = (n: TwilioNumberRow) => ({ sid: n.sid, account_sid: accountSid, phone_number: n.phone_number, friendly_name: n.phone_number, trunk_sid: n.trunk_sid, voice_url: n.voice_url });
  const trunkWire = (t: TrunkRow) => ({ sid: t.sid, account_sid: accountSid, friendly_name: t.friendly_name, domain_name: null });
  const originWire = (o: OriginRow) => ({ sid: o.sid, account_sid: accountSid, trunk_sid: o.trunk_sid, sip_url: o.sip_url, friendly_name: o.friendly_name, weight: o.weight, priority: o.priority, enabled: o.enabled });
  const meta = (key: string, path: string) => ({ key, page: 0, page_size: 50, next_page_url: null, previous_page_url: null, first_page_url: `${path}?PageSize=50&Page=0`, url: `${path}?PageSize=50&Page=0` });
  const trunkOf = (p: Record<string, string>) => trunks.get(p.TrunkSid!) ?? fail404();
  const fail404 = (): never => {
    throw error(404, 20404, 'The requested resource was not found');
  };

  type Handler = (p: Record<string, string>, q: URLSearchParams, f: URLSearchParams) => { status: number; body?: unknown };
  const handlers: Record<string, Handler> = {
    'GET /2010-04-01/Accounts/{Sid}.json': (p) => {
      if (p.Sid !== accountSid) fail404();
      return { status: 200, body: { sid: accountSid, friendly_name: 'stand-in', status: 'active', type: 'Full', owner_account_sid: accountSid } };
    },
    'GET /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json': (p, q) => {
      const want = q.get('PhoneNumber');
      const rows = [...numbers.values()].filter((n) => !want || n.phone_number.includes(want));
      const uri = `/2010-04-01/Accounts/${p.AccountSid}/IncomingPhoneNumbers.json`;
      return { status: 200, body: { incoming_phone_numbers: rows.map(numberWire), page: 0, page_size: 50, start: 0, end: Math.max(0, rows.length - 1), uri, first_page_uri: uri, next_page_uri: null, previous_page_uri: null } };
    },
    'POST /2010-04-01/Accounts/{AccountSid}/Calls.json': (_p, _q, f) => {
      const twiml = f.get('Twiml') ?? '';
      if (!twiml && !f.get('Url') && !f.get('ApplicationSid')) throw error(400, 21205, 'Url, Twiml or ApplicationSid is required');
      if (twiml.length > 4000) throw error(400, 13102, 'Twiml is longer than 4000 characters');
      if (![...numbers.values()].some((n) => n.phone_number === f.get('From'))) throw error(400, 21210, "'From' phone number not verified");
      const c: CallRow = { sid: sid('CA'), to: f.get('To')!, from: f.get('From')!, status: 'queued', twiml };
      calls.set(c.sid, c);
      void run(c, Number(f.get('TimeLimit') ?? 14400));
      return { status: 201, body: callWire(c) };
    },
    'GET /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json': (p) => ({ status: 200, body: callWire(calls.get(p.Sid!) ?? fail404()) }),
    'POST /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json': (p, _q, f) => {
      const c = calls.get(p.Sid!) ?? fail404();
      const want = f.get('Status');
      if (want === 'completed' || want === 'canceled') {
        if (!CALL_STATE[c.status]) c.endedByApi = true; // still up: this side hangs it up
        if (c.status === 'in-progress') c.status = 'completed';
        else if (c.status === 'queued' || c.status === 'ringing') c.status = 'canceled';
        void legs.get(c.sid)?.hangup();
      }
      return { status: 200, body: callWire(c) };
    },
    'GET /v1/Voice/{CallSid}/Summary': (p) => {
      const c = calls.get(p.CallSid!);
      if (!c || !CALL_STATE[c.status]) fail404();
      return { status: 200, body: summaryWire(c!) };
    },
    'GET /v1/Trunks': () => ({ status: 200, body: { trunks: [...trunks.values()].map(trunkWire), meta: meta('trunks', '/v1/Trunks') } }),
    'POST /v1/Trunks': (_p, _q, f) => {
      const t: TrunkRow = { sid: sid('TK'), friendly_name: f.get('FriendlyName') };
      trunks.set(t.sid, t);
      return { status: 201, body: trunkWire(t) };
    },
    'GET /v1/Trunks/{TrunkSid}/OriginationUrls': (p) => {
      const t = trunkOf(p);
      const rows = [...origins.values()].filter((o) => o.trunk_sid === t.sid);
      return { status: 200, body: { origination_urls: rows.map(originWire), meta: meta('origination_urls', `/v1/Trunks/${t.sid}/OriginationUrls`) } };
    },
    'POST /v1/Trunks/{TrunkSid}/OriginationUrls': (p, _q, f) => {
      const t = trunkOf(p);
      const o: OriginRow = { sid: sid('OU'), trunk_sid: t.sid, sip_url: f.get('SipUrl')!, friendly_name: f.get('FriendlyName')!, weight: Number(f.get('Weight')), priority: Number(f.get('Priority')), enabled: f.get('Enabled') === 'true' };
      if (!/^sip:/.test(o.sip_url)) throw error(400, 21201, 'SipUrl must be a sip: URI');
      origins.set(o.sid, o);
      return { status: 201, body: originWire(o) };
    },
    'POST /v1/Trunks/{TrunkSid}/OriginationUrls/{Sid}': (p, _q, f) => {
      trunkOf(p);
      const o = origins.get(p.Sid!) ?? fail404();
      if (f.has('SipUrl')) o.sip_url = f.get('SipUrl')!;
      if (f.has('FriendlyName')) o.friendly_name = f.get('FriendlyName')!;
      return { status: 200, body: originWire(o) };
    },
    'GET /v1/Trunks/{TrunkSid}/PhoneNumbers': (p) => {
      const t = trunkOf(p);
      const rows = [...numbers.values()].filter((n) => n.trunk_sid === t.sid);
      return { status: 200, body: { phone_numbers: rows.map((n) => ({ ...numberWire(n), trunk_sid: t.sid })), meta: meta('phone_numbers', `/v1/Trunks/${t.sid}/PhoneNumbers`) } };
    },
    'POST /v1/Trunks/{TrunkSid}/PhoneNumbers': (p, _q, f) => {
      const t = trunkOf(p);
      const n = numbers.get(f.get('PhoneNumberSid')!) ?? fail404();
      n.trunk_sid = t.sid;
      return { status: 201, body: numberWire(n) };
    },
    'DELETE /v1/Trunks/{TrunkSid}/PhoneNumbers/{Sid}': (p) => {
      const t = trunkOf(p);
      const n = numbers.get(p.Sid!);
      if (!n || n.trunk_sid !== t.sid) fail404();
      n!.trunk_sid = null;
      return { status: 204 };
    },
  };

  const lb = await startLoopback<LoggedRequest>({
    jsonType: 'application/json',
    entry: () => ({}),
    faultAnswer: (status) => error(status, status === 401 ? 20003 : 20500, status === 401 ? 'Authenticate' : 'Injected failure'),
    async handle(x) {
      const doc: OpenApiDoc = x.url.pathname.startsWith('/2010-04-01/') ? API : x.url.pathname.startsWith('/v1/Voice/') ? INSIGHTS : TRUNKING;
      const m: Matched | undefined = match(doc, x.req.method ?? 'GET', x.url.pathname);
      if (!m) throw error(404, 20404, 'The requested resource was not found');
      const auth = /^Basic (.+)$/.exec(x.req.headers.authorization ?? '')?.[1];
      const [user, pass] = auth ? Buffer.from(auth, 'base64').toString().split(':') : [];
      if (user !== accountSid || pass !== authToken) throw error(401, 20003, 'Authenticate');
      if (m.params.AccountSid !== undefined && m.params.AccountSid !== accountSid) throw error(404, 20404, 'The requested resource was not found');
      const isForm = (x.req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      if (x.raw && !isForm) throw error(400, 20001, 'Content-Type must be application/x-www-form-urlencoded');
      const form = new URLSearchParams(x.raw);
      x.entry.body = Object.fromEntries(form);
      const problems = checkRequest(doc, m, x.url.searchParams, x.raw ? form : undefined);
      if (problems.length) throw error(400, 20001, problems.join('; '));
      const r = handlers[`${x.req.method} ${m.template}`]!(m.params, x.url.searchParams, form);
      const wrong = checkResponse(doc, m, r.status, r.body);
      if (wrong.length) {
        violations.push(...wrong.map((w) => `${x.req.method} ${m.template}: ${w}`));
        throw error(500, 20500, `stand-in answer outside the published document: ${wrong.join('; ')}`);
      }
      x.send(r.status, r.body);
    },
  });

  const urls = () => ({ TWILIO_API_URL: lb.url, TWILIO_TRUNKING_URL: lb.url, TWILIO_INSIGHTS_URL: lb.url });
  return {
    url: lb.url,
    accountSid,
    authToken,
    urls,
    settings: () => ({ TWILIO_ACCOUNT_SID: accountSid, TWILIO_AUTH_TOKEN: authToken, ...urls() }),
    requests: lb.requests,
    numbers,
    trunks,
    origins,
    calls,
    violations,
    addNumber(e164, voiceUrl) {
      const n: TwilioNumberRow = { sid: sid('PN'), phone_number: e164, trunk_sid: null, voice_url: voiceUrl ?? null };
      numbers.set(n.sid, n);
      return n;
    },
    writes: () => lb.requests.filter((r) => r.method !== 'GET'),
    fault: (f) => lb.fault(f),
    stop: async () => {
      await Promise.all([...legs.values()].map((l) => l.hangup()));
      await lb.stop();
    },
  };
}

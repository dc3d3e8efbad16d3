// A SignalWire stand-in: the REST subset the wizard and the check use (phone numbers, Fabric SWML scripts,
// verified caller IDs, the calling API and voice logs) on loopback, strict where SignalWire is: HTTP Basic auth, token scopes, and request bodies checked
// field by field so a test proves the wire shape. Error bodies take SignalWire's published shapes
// (github.com/signalwire/docs specs/signalwire-rest/types/status-codes):
//   401/403/404/500 → { error: "Unauthorized" | "Forbidden" | "Not Found" | "Internal Server Error" }
//   /api/relay/rest 422 → { errors: [{ detail, status, title, code }] }
//   /api/fabric 422     → { errors: [{ type, code, message, attribute, url }] }
// A placed call (or callNumber) runs like SignalWire runs it: a call to a number of the space runs that
// number's handler (a hosted script's contents, or its External URL POSTed with X-SignalWire-Signature),
// and a SWML `connect` to a SIP URI drives the SIP dialer (swml-executor.ts). Each leg is a voice log; the
// SIP leg's events carry the SIP answer. SignalWire documents no schema for event details: this stand-in
// puts `sip_code` / `sip_reason` / `end_reason` there, and the check also reads other likely names.
import { createHmac, randomUUID } from 'node:crypto';
import { Answer, startLoopback, type Exchange, type Fault, type LoggedRequest } from './loopback.ts';
import type { SipAnswer, SipDialer } from './sip-dialer.ts';
import { connectOf, holdMsOf, parseSwml, refused, substitute } from './swml-executor.ts';

/** Token scopes as the dashboard names them; SWML scripts accept any of voice/messaging/fax/video. */
export type Scope = 'numbers' | 'voice' | 'messaging' | 'fax' | 'video';

/** A phone number in SignalWire's wire shape (the fields this stand-in keeps). */
export interface WireNumber {
  id: string;
  number: string;
  name: string | null;
  capabilities: string[];
  number_type: string;
  call_handler: string | null;
  call_receive_mode: string;
  call_request_url: string | null;
  call_request_method: string | null;
  call_relay_script_url: string | null;
  call_laml_application_id: string | null;
  call_relay_application: string | null;
  call_relay_topic: string | null;
  calling_handler_resource_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface StoredScript {
  id: string;
  display_name: string;
  /** As sent: SWML as JSON text (or an object). */
  contents: unknown;
  request_url: string;
  created_at: string;
  updated_at: string;
}

export type { Fault, LoggedRequest };

export interface SignalWireStandInOptions {
  projectId?: string;
  apiToken?: string;
  /** Default: numbers and voice. */
  tokenScopes?: Scope[];
  /** What a missing scope gets: SignalWire documents both 401 and 403 for it. Default 403. */
  missingScopeStatus?: 401 | 403;
  /** The space's host, used in request_url. Default example.signalwire.com. */
  space?: string;
  /** Items per list page; default 50 like SignalWire. */
  pageSize?: number;
  /** List SWML scripts without their contents (a single GET still has them). */
  listOmitsContents?: boolean;
  /** Drives a SWML `connect` to a SIP URI; without one, every SIP target goes unanswered (408). */
  dialer?: SipDialer;
  /** The project's signing key: External URL requests are signed with it. */
  signingKey?: string;
  /** Trial Mode: calls only to and from the space's and verified numbers; SIP calls declined (603), unlogged. */
  trial?: boolean;
}

/** A voice log in SignalWire's wire shape (RelayVoiceLog), and its events. */
export interface WireVoiceLog {
  id: string;
  from: string;
  to: string;
  source: 'realtime_api';
  type: 'relay_pstn_call' | 'relay_sip_call';
  url: null;
  direction: 'inbound' | 'outbound-api' | 'outbound-dial';
  status: string;
  duration: number | null;
  duration_ms: number | null;
  billing_ms: number | null;
  charge: number;
  charge_details: Array<{ description: string; charge: number }>;
  parent_id: string | null;
  created_at: string;
}

export interface WireLogEvent {
  event_at: string;
  level: 'info' | 'warn' | 'error';
  name: string;
  details: Record<string, unknown>;
  project_id: string;
  log_id: string;
}

/** What a simulated call to a number of the space came to. */
export interface CallOutcome {
  /** The inbound leg's log id. */
  logId: string;
  /** The SIP leg's answer, when the number's SWML connected to a SIP URI. */
  sipCode?: number;
  sipReason?: string;
  /** Why the handler did not run, when it did not. */
  problem?: string;
  /** Resolves when the call has ended. */
  ended: Promise<void>;
  hangup(): Promise<void>;
}

export interface SignalWireStandIn {
  /** http://127.0.0.1:<port>: use as SIGNALWIRE_SPACE_URL. */
  url: string;
  space: string;
  projectId: string;
  apiToken: string;
  numbers: Map<string, WireNumber>;
  scripts: Map<string, StoredScript>;
  requests: LoggedRequest[];
  tokenScopes: Set<Scope>;
  /** Every request that is not a GET. */
  writes(): LoggedRequest[];
  addNumber(e164: string, handler?: Partial<WireNumber>): WireNumber;
  addScript(name: string, contents: unknown): StoredScript;
  /** Voice logs by id, in creation order. */
  logs: Map<string, WireVoiceLog>;
  events: Map<string, WireLogEvent[]>;
  /** Numbers verified as caller IDs. */
  verified: Set<string>;
  /** Every placed call rings until its ring timeout, unanswered. */
  neverAnswer: boolean;
  /** A call to a number of the space from `from`, as if dialled from outside: runs the number's handler. */
  callNumber(to: string, from: string, opts?: { holdMs?: number }): Promise<CallOutcome>;
  /** Ids of the calls a `calling.end` was sent for. */
  endedByApi: string[];
  /** A fault for matching requests (`match` "METHOD /path" or "/path", by prefix). */
  fault(fault: Fault): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

const NUMBERS = '/api/relay/rest/phone_numbers';
const SCRIPTS = '/api/fabric/resources/swml_scripts';
const VERIFIED = '/api/relay/rest/verified_caller_ids';
const CALLS = '/api/calling/calls';
const LOGS = '/api/voice/logs';
// CallCreateParamsBase (calling-api/calls/models/requests.tsp) plus url / swml.
const DIAL_FIELDS = new Set([
  'from', 'to', 'username', 'password', 'to_script', 'caller_id', 'fallback_url', 'status_url', 'status_events', 'url_method',
  'codecs', 'timeout', 'max_price_per_minute', 'send_digits', 'region', 'custom_variables', 'url', 'swml',
]);

interface Leg {
  log: WireVoiceLog;
  children: Leg[];
  over: boolean;
  answered: boolean;
  answer?: SipAnswer;
  started: number;
  stop: AbortController;
  /** Why the number's handler did not run. */
  problem?: string;
}

const tick = () => new Promise((r) => setImmediate(r));

// The fields SignalWire's update-phone-number request takes (UpdatePhoneNumberRequest).
const NUMBER_UPDATE_FIELDS = new Set([
  'name', 'call_handler', 'call_receive_mode', 'call_request_url', 'call_request_method', 'call_fallback_url',
  'call_fallback_method', 'call_status_callback_url', 'call_status_callback_method', 'call_laml_application_id',
  'call_dialogflow_agent_id', 'call_relay_topic', 'call_relay_topic_status_callback_url', 'call_relay_script_url',
  'call_relay_context', 'call_relay_context_status_callback_url', 'call_relay_application', 'call_relay_connector_id',
  'call_sip_endpoint_id', 'call_verto_resource', 'call_video_room_id', 'message_handler', 'message_request_url',
  'message_request_method', 'message_fallback_url', 'message_fallback_method', 'message_laml_application_id',
  'message_relay_topic', 'message_relay_context', 'message_relay_application',
]);
// The call handlers a phone-number update may set (PhoneNumberCallHandlerRequest).
const SETTABLE_HANDLERS = new Set([
  'relay_context', 'relay_topic', 'relay_script', 'relay_application', 'relay_connector', 'relay_sip_endpoint',
  'relay_verto_endpoint', 'laml_webhooks', 'laml_application', 'dialogflow', 'video_room',
]);
const SCRIPT_CREATE_FIELDS = new Set(['name', 'script_type', 'contents', 'status_callback_url']);
const SCRIPT_UPDATE_FIELDS = new Set(['display_name', 'script_type', 'contents', 'status_callback_url']);
const ERROR_CODES_URL = 'https://signalwire.com/docs/apis/error-codes';

const plain = (status: number) =>
  status === 402
    ? new Answer(402, { errors: [{ type: 'payment_required', code: 'insufficient_balance', message: 'This account has an insufficient balance.', attribute: null, url: ERROR_CODES_URL }] })
    : new Answer(status, {
    error: { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 415: 'Unsupported Media Type' }[status] ??
      (status >= 500 ? 'Internal Server Error' : 'Error'),
  });
const relay422 = (detail: string) => new Answer(422, { errors: [{ detail, status: '422', title: 'Invalid Attribute', code: '422' }] });
const fabric422 = (code: string, message: string, attribute: string | null) =>
  new Answer(422, { errors: [{ type: 'validation_error', code, message, attribute, url: ERROR_CODES_URL }] });

export async function startSignalWire(opts: SignalWireStandInOptions = {}): Promise<SignalWireStandIn> {
  const projectId = opts.projectId ?? randomUUID();
  const apiToken = opts.apiToken ?? `PT${randomUUID().replace(/-/g, '')}`;
  const space = opts.space ?? 'example.signalwire.com';
  const pageSize = opts.pageSize ?? 50;
  const numbers = new Map<string, WireNumber>();
  const scripts = new Map<string, StoredScript>();
  const tokenScopes = new Set<Scope>(opts.tokenScopes ?? ['numbers', 'voice']);
  const now = () => new Date().toISOString();
  let baseUrl = '';
  const timers = new Set<NodeJS.Timeout>(); // call legs' waits, cut short by stop()
  const logs = new Map<string, WireVoiceLog>();
  const events = new Map<string, WireLogEvent[]>();
  const verified = new Set<string>();
  const legs = new Map<string, Leg>();
  const endedByApi: string[] = [];
  const signingKey = opts.signingKey ?? `PSK_${randomUUID().replace(/-/g, '')}`;
  const dialer: SipDialer = opts.dialer ?? (async () => refused(408, 'Request Timeout'));
  let stopped = false;

  async function handle({ req, url: u, raw, entry, send }: Exchange<LoggedRequest>) {
    const method = entry.method;
    const body = entry.body;

    if (!authorised(req.headers.authorization)) throw new Answer(401, (plain(401) as Answer).body, { 'www-authenticate': 'Basic realm="SignalWire"' });
    if (raw && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw plain(415);
    if (raw && typeof body === 'string') throw plain(400);

    const parts = u.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const base = `/${parts.slice(0, 4).join('/')}`;
    const id = parts[4];
    if (parts.length > 5) throw plain(404);

    if (base === NUMBERS) {
      needScope(['numbers']);
      if (method === 'GET' && !id) return send(200, page([...numbers.values()].filter(byNumber(u.searchParams.get('filter_number'))), u));
      const n = id ? numbers.get(id) : undefined;
      if (!n) throw plain(404);
      if (method === 'GET') return send(200, n);
      if (method === 'PUT') return send(200, updateNumber(n, body));
      throw plain(404);
    }
    if (base === SCRIPTS) {
      needScope(['voice', 'messaging', 'fax', 'video']);
      if (method === 'GET' && !id) {
        const views = [...scripts.values()].map(scriptView);
        if (opts.listOmitsContents) for (const v of views) delete (v.swml_script as { contents?: unknown }).contents;
        return send(200, page(views, u));
      }
      if (method === 'POST' && !id) return send(200, scriptView(createScript(body)));
      const s = id ? scripts.get(id) : undefined;
      if (!s) throw plain(404);
      if (method === 'GET') return send(200, scriptView(s));
      if (method === 'PUT') return send(200, scriptView(updateScript(s, body)));
      if (method === 'DELETE') {
        // delete_swml_script answers 204 with no body (fabric-api/swml-scripts/main.tsp).
        scripts.delete(s.id);
        return send(204);
      }
      throw plain(404);
    }
    if (base === VERIFIED && !id) {
      needScope(['voice']);
      if (method !== 'GET') throw plain(404);
      const rows = [...verified].map((number) => ({ type: 'verified_caller_id', id: randomUUID(), number, name: number, verified: true, status: 'Verified' }));
      return send(200, page(rows.filter((r) => r.number.includes(u.searchParams.get('filter_number') ?? '')), u));
    }
    if (u.pathname === CALLS) {
      needScope(['voice']);
      if (method !== 'POST') throw plain(404);
      return send(200, callCommand(body));
    }
    if (u.pathname.startsWith(LOGS)) {
      needScope(['voice']);
      if (method !== 'GET') throw plain(404);
      const rest = u.pathname.slice(LOGS.length).split('/').filter(Boolean).map(decodeURIComponent);
      if (!rest.length) {
        // A date (the spec's type) or a full timestamp (what a sibling logs spec takes).
        const after = u.searchParams.get('created_after');
        if (after && Number.isNaN(Date.parse(after))) throw fabric422('invalid_parameter_value', 'created_after is not a date', 'created_after');
        const list = [...logs.values()].reverse().filter((l) => !after || (after.length === 10 ? l.created_at.slice(0, 10) >= after : Date.parse(l.created_at) >= Date.parse(after)));
        return send(200, page(list, u));
      }
      const log = logs.get(rest[0]!);
      if (!log || rest.length > 2 || (rest[1] && rest[1] !== 'events')) throw plain(404);
      if (rest[1] === 'events') return send(200, { data: events.get(log.id) ?? [] });
      return send(200, log);
    }
    throw plain(404);
  }

  // ── The calling API and the calls it places ──

  function callCommand(body: unknown): unknown {
    const b = (body ?? {}) as { command?: unknown; id?: unknown; params?: unknown };
    if (typeof body !== 'object' || Array.isArray(body)) throw fabric422('invalid_parameter', 'body must be a JSON object', null);
    for (const k of Object.keys(b)) if (!['command', 'id', 'params'].includes(k)) throw fabric422('invalid_parameter', `${k} is not a permitted parameter`, k);
    if (b.command === 'dial') return dial(b.params);
    if (b.command === 'calling.end') {
      if (typeof b.id !== 'string') throw fabric422('missing_required_parameter', 'id is required', 'id');
      const p = (b.params ?? {}) as Record<string, unknown>;
      for (const k of Object.keys(p)) if (k !== 'reason') throw fabric422('invalid_parameter', `${k} is not a permitted parameter`, `params.${k}`);
      const leg = legs.get(b.id);
      if (!leg) throw plain(404);
      endedByApi.push(b.id);
      finish(leg, leg.answered ? 'completed' : 'canceled', { end_reason: 'hangup' });
      return leg.log;
    }
    throw fabric422('invalid_parameter', `command must be one of dial, update, calling.end`, 'command');
  }

  function dial(params: unknown): WireVoiceLog {
    if (!params || typeof params !== 'object' || Array.isArray(params)) throw fabric422('missing_required_parameter', 'params is required', 'params');
    const p = params as Record<string, unknown>;
    for (const k of Object.keys(p)) if (!DIAL_FIELDS.has(k)) throw fabric422('invalid_parameter', `${k} is not a permitted parameter`, `params.${k}`);
    if (typeof p.from !== 'string' || !p.from) throw fabric422('missing_required_parameter', 'from is required', 'params.from');
    if (typeof p.to !== 'string' || !p.to) throw fabric422('missing_required_parameter', 'to is required', 'params.to');
    if ((p.swml === undefined) === (p.url === undefined)) throw fabric422('missing_required_parameter', 'either url or swml must be included', 'params.swml');
    const doc = p.swml !== undefined ? parseSwml(p.swml) : undefined;
    if (doc && !doc.ok) throw fabric422('invalid_parameter_value', `swml is invalid: ${doc.why}`, 'params.swml');
    if (p.timeout !== undefined && (!Number.isInteger(p.timeout) || (p.timeout as number) < 1 || (p.timeout as number) > 600))
      throw fabric422('invalid_parameter_value', 'timeout must be between 1 and 600', 'params.timeout');
    const sip = /^sips?:/i.test(p.to);
    if (!sip && !/^\+[1-9]\d{6,14}$/.test(p.to)) throw fabric422('invalid_parameter_value', 'to must be an E.164 number or a SIP URI', 'params.to');
    const own = (n: string) => [...numbers.values()].some((x) => x.number === n);
    if (!own(p.from) && !verified.has(p.from)) throw fabric422('number_not_verified', "'From' phone number not verified.", 'params.from');
    if (opts.trial && !sip && !own(p.to) && !verified.has(p.to)) throw fabric422('not_purchased_or_verified', 'The phone number must be purchased or verified.', 'params.to');

    const leg = newLeg({ from: p.from, to: p.to, type: sip ? 'relay_sip_call' : 'relay_pstn_call', direction: 'outbound-api', parent: null });
    const main = doc?.ok ? doc.main : [];
    void placed(leg, { to: p.to, from: p.from, sip, username: p.username as string | undefined, password: p.password as string | undefined, ringMs: ((p.timeout as number | undefined) ?? 30) * 1000, holdMs: holdMsOf(main) });
    return { ...leg.log };
  }

  async function placed(a: Leg, p: { to: string; from: string; sip: boolean; username?: string; password?: string; ringMs: number; holdMs: number }) {
    await tick();
    if (a.over) return;
    status(a, 'ringing');
    if (instance.neverAnswer) {
      await wait(a, p.ringMs);
      return finish(a, 'no-answer', { end_reason: 'noAnswer' });
    }
    let answer: SipAnswer;
    if (p.sip) {
      if (opts.trial) {
        // A trial space declines SIP traffic (603) and keeps no log of it.
        logs.delete(a.log.id);
        events.delete(a.log.id);
        a.over = true;
        return;
      }
      answer = await sipLeg(a, { uri: p.to, from: p.from, username: p.username, password: p.password, holdMs: p.holdMs + 5_000 }, false);
    } else {
      const n = [...numbers.values()].find((x) => x.number === p.to);
      if (!n) {
        await wait(a, p.ringMs);
        return finish(a, 'no-answer', { end_reason: 'noAnswer' });
      }
      const b = newLeg({ from: p.from, to: p.to, type: 'relay_pstn_call', direction: 'inbound', parent: null });
      a.children.push(b);
      answer = await runHandler(b, n, p.from, p.holdMs + 5_000);
    }
    if (a.over) return void answer.hangup();
    if (answer.code !== 200) return finish(a, answer.code === 486 ? 'busy' : 'failed', { end_reason: 'error', sip_code: answer.code, sip_reason: answer.reason });
    a.answered = true;
    a.answer = answer;
    status(a, 'answered');
    // The caller's SWML runs: it plays, stays for its silence, then hangs up.
    await Promise.race([wait(a, p.holdMs), answer.ended]);
    finish(a, 'completed', { end_reason: 'hangup' });
  }

  /** A call reaching a number of the space: its handler's SWML runs; the answer is its SIP leg's. */
  async function runHandler(b: Leg, n: WireNumber, from: string, holdMs: number): Promise<SipAnswer> {
    await tick();
    const fail = (why: string) => {
      event(b, 'error', 'swml_handler_failed', { reason: why });
      finish(b, 'failed', { end_reason: 'error' });
      b.problem = why;
      return refused(500, why);
    };
    const url = n.call_handler === 'relay_script' ? n.call_relay_script_url : null;
    if (!url) return fail(`${n.number} has no SWML handler (call_handler ${n.call_handler ?? 'none'})`);
    const hosted = [...scripts.values()].find((s) => s.request_url === url);
    let contents: unknown;
    if (hosted) contents = hosted.contents;
    else {
      const text = await fetchSwml(url, b, from);
      if (typeof text !== 'string') return fail(text.error);
      contents = text;
    }
    const doc = parseSwml(contents);
    if (!doc.ok) return fail(doc.why);
    const main = substitute(doc.main, { to: n.number, from });
    event(b, 'info', 'swml_executed', { request_url: url });
    const target = connectOf(main);
    if (!target) return fail('the SWML has no connect to a SIP URI');
    const answer = await sipLeg(b, { uri: target.to, from, username: target.username, password: target.password, holdMs }, true);
    if (answer.code !== 200) finish(b, 'failed', { end_reason: 'error', sip_code: answer.code, sip_reason: answer.reason });
    else {
      b.answered = true;
      b.answer = answer;
      status(b, 'answered');
      void answer.ended.then(() => finish(b, 'completed', { end_reason: 'hangup' }));
    }
    return answer;
  }

  /** The SIP leg: its own log (a child when it is a SWML connect), the dialer's answer in its events. */
  async function sipLeg(parent: Leg, d: { uri: string; from: string; username?: string | undefined; password?: string | undefined; holdMs: number }, child: boolean): Promise<SipAnswer> {
    const c = child ? newLeg({ from: d.from, to: d.uri, type: 'relay_sip_call', direction: 'outbound-dial', parent: parent.log.id }) : parent;
    if (child) parent.children.push(c);
    const answer = await dialer({ uri: d.uri, from: d.from, holdMs: d.holdMs, ...(d.username ? { username: d.username } : {}), ...(d.password ? { password: d.password } : {}) });
    if (c.over) {
      void answer.hangup();
      return answer;
    }
    if (answer.code !== 200) {
      if (child) finish(c, answer.code === 486 ? 'busy' : 'failed', { end_reason: 'error', sip_code: answer.code, sip_reason: answer.reason });
      else event(c, 'error', 'calling_call_state', { call_state: 'ended', end_reason: 'error', sip_code: answer.code, sip_reason: answer.reason });
      return answer;
    }
    event(c, 'info', 'calling_call_state', { call_state: 'answered', sip_code: 200, sip_reason: answer.reason });
    if (child) {
      c.answered = true;
      c.answer = answer;
      status(c, 'answered');
      void answer.ended.then(() => finish(c, 'completed', { end_reason: 'hangup' }));
    }
    return answer;
  }

  /** POSTs the call to an External URL as SignalWire does: JSON { call, vars, params, envs }, signed. */
  async function fetchSwml(url: string, b: Leg, from: string): Promise<string | { error: string }> {
    const body = JSON.stringify({
      call: { call_id: b.log.id, segment_id: b.log.id, call_state: 'created', direction: 'inbound', type: 'phone', from, to: b.log.to, headers: [], project_id: projectId, space_id: randomUUID() },
      vars: {},
      params: {},
      envs: {},
    });
    const signature = createHmac('sha1', signingKey).update(url, 'utf8').update(body).digest('hex');
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signalwire-signature': signature }, body, signal: AbortSignal.timeout(5_000) });
      const text = await res.text();
      if (res.status !== 200) return { error: `the External URL answered ${res.status}` };
      return text;
    } catch {
      return { error: 'the External URL did not answer' };
    }
  }

  function newLeg(o: { from: string; to: string; type: WireVoiceLog['type']; direction: WireVoiceLog['direction']; parent: string | null }): Leg {
    const id = randomUUID();
    const log: WireVoiceLog = {
      id, from: o.from, to: o.to, source: 'realtime_api', type: o.type, url: null, direction: o.direction, status: 'queued',
      duration: null, duration_ms: null, billing_ms: null, charge: 0, charge_details: [], parent_id: o.parent, created_at: now(),
    };
    logs.set(id, log);
    events.set(id, []);
    const leg: Leg = { log, children: [], over: false, answered: false, started: Date.now(), stop: new AbortController() };
    legs.set(id, leg);
    event(leg, 'info', 'calling_call_initiated', {});
    return leg;
  }

  function status(leg: Leg, s: string) {
    leg.log.status = s;
    event(leg, 'info', `calling_call_${s.replace(/-/g, '_')}`, {});
  }

  function event(leg: Leg, level: WireLogEvent['level'], name: string, details: Record<string, unknown>) {
    events.get(leg.log.id)?.push({ event_at: now(), level, name, details, project_id: projectId, log_id: leg.log.id });
  }

  /** Ends a leg and every leg it led to; hangs up its SIP answer. */
  function finish(leg: Leg, s: string, details: Record<string, unknown>) {
    if (leg.over) return;
    leg.over = true;
    leg.stop.abort();
    const ms = leg.answered ? Date.now() - leg.started : 0;
    Object.assign(leg.log, { status: s, duration: Math.round(ms / 1000), duration_ms: ms, billing_ms: ms ? Math.max(60_000, Math.ceil(ms / 60_000) * 60_000) : 0 });
    if (ms) leg.log.charge = Number((0.0066 * Math.ceil(ms / 60_000)).toFixed(4));
    event(leg, s === 'failed' || s === 'busy' ? 'error' : 'info', 'calling_call_ended', { call_state: 'ended', status: s, ...details });
    void leg.answer?.hangup();
    for (const c of leg.children) finish(c, s === 'completed' || s === 'canceled' ? 'completed' : s, { end_reason: details.end_reason ?? 'hangup' });
  }

  function wait(leg: Leg, ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (leg.stop.signal.aborted || stopped) return resolve();
      const t = setTimeout(done, ms);
      timers.add(t);
      function done() {
        clearTimeout(t);
        timers.delete(t);
        leg.stop.signal.removeEventListener('abort', done);
        resolve();
      }
      leg.stop.signal.addEventListener('abort', done);
    });
  }

  async function callNumber(to: string, from: string, o: { holdMs?: number } = {}): Promise<CallOutcome> {
    const n = [...numbers.values()].find((x) => x.number === to);
    if (!n) throw new Error(`${to} is not a number of this space`);
    const b = newLeg({ from, to, type: 'relay_pstn_call', direction: 'inbound', parent: null });
    const answer = await runHandler(b, n, from, o.holdMs ?? 1_000);
    const out: CallOutcome = { logId: b.log.id, ended: answer.ended, hangup: async () => finish(b, 'completed', { end_reason: 'hangup' }) };
    if (b.problem) out.problem = b.problem;
    else {
      out.sipCode = answer.code;
      out.sipReason = answer.reason;
    }
    return out;
  }

  function authorised(header: string | undefined): boolean {
    const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    return decoded === `${projectId}:${apiToken}`;
  }

  function needScope(any: Scope[]) {
    if (!any.some((s) => tokenScopes.has(s))) throw plain(opts.missingScopeStatus ?? 403);
  }

  // filter_number is a substring match, as SignalWire documents it.
  function byNumber(filter: string | null) {
    return (n: WireNumber) => filter === null || n.number.includes(filter);
  }

  // SignalWire pages lists and links the next page with an absolute URL.
  function page<T>(all: T[], u: URL) {
    const size = Math.min(Number(u.searchParams.get('page_size') ?? pageSize) || pageSize, 1000);
    const pageNumber = Number(u.searchParams.get('page_number') ?? 0) || 0;
    const data = all.slice(pageNumber * size, (pageNumber + 1) * size);
    const link = (p: number) => {
      const next = new URL(u.pathname + u.search, baseUrl);
      next.searchParams.set('page_number', String(p));
      next.searchParams.set('page_size', String(size));
      if (p > 0) next.searchParams.set('page_token', `PA${p}`);
      return next.toString();
    };
    const links: Record<string, string> = { self: link(pageNumber), first: link(0) };
    if ((pageNumber + 1) * size < all.length) links.next = link(pageNumber + 1);
    if (pageNumber > 0) links.prev = link(pageNumber - 1);
    return { links, data };
  }

  function updateNumber(n: WireNumber, body: unknown): WireNumber {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw relay422('Request body must be an object');
    const b = body as Record<string, unknown>;
    for (const k of Object.keys(b)) if (!NUMBER_UPDATE_FIELDS.has(k)) throw relay422(`${k} is not a valid attribute`);
    if (b.call_handler !== undefined && (typeof b.call_handler !== 'string' || !SETTABLE_HANDLERS.has(b.call_handler)))
      throw relay422('Call handler is not included in the list');
    const handler = (b.call_handler as string | undefined) ?? n.call_handler;
    const scriptUrl = (b.call_relay_script_url as unknown) ?? n.call_relay_script_url;
    if (handler === 'relay_script' && !isHttpUrl(scriptUrl)) throw relay422("Call relay script url can't be blank");
    const requestUrl = (b.call_request_url as unknown) ?? n.call_request_url;
    if (handler === 'laml_webhooks' && !isHttpUrl(requestUrl)) throw relay422("Call request url can't be blank");
    Object.assign(n, b, { updated_at: now() });
    return n;
  }

  function createScript(body: unknown): StoredScript {
    const b = fabricBody(body, SCRIPT_CREATE_FIELDS);
    if (typeof b.name !== 'string' || !b.name) throw fabric422('missing_required_parameter', 'name is required', 'name');
    if (b.contents === undefined) throw fabric422('missing_required_parameter', 'contents is required', 'contents');
    return addScript(b.name, checkSwml(b.contents));
  }

  function updateScript(s: StoredScript, body: unknown): StoredScript {
    const b = fabricBody(body, SCRIPT_UPDATE_FIELDS);
    if (b.display_name !== undefined) s.display_name = String(b.display_name);
    if (b.contents !== undefined) s.contents = checkSwml(b.contents);
    s.updated_at = now();
    return s;
  }

  function fabricBody(body: unknown, allowed: Set<string>): Record<string, unknown> {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw fabric422('invalid_parameter', 'body must be a JSON object', null);
    for (const k of Object.keys(body)) if (!allowed.has(k)) throw fabric422('invalid_parameter', `${k} is not a permitted parameter`, k);
    return body as Record<string, unknown>;
  }

  // A calling SWML document: { version, sections: { main: [...] } }, as an object or its JSON text.
  function checkSwml(contents: unknown): unknown {
    let doc = contents;
    if (typeof contents === 'string') {
      try {
        doc = JSON.parse(contents);
      } catch {
        doc = undefined;
      }
    }
    const main = (doc as { sections?: { main?: unknown } } | undefined)?.sections?.main;
    if (!doc || typeof doc !== 'object' || !Array.isArray(main))
      throw fabric422('invalid_parameter_value', 'contents must be valid SWML JSON', 'contents');
    return contents;
  }

  function addScript(name: string, contents: unknown): StoredScript {
    const id = randomUUID();
    const s: StoredScript = { id, display_name: name, contents, request_url: `https://${space}/relay-bins/${id}`, created_at: now(), updated_at: now() };
    scripts.set(id, s);
    return s;
  }

  // SignalWire answers with the Fabric resource wrapping the script; contents come back as the document object.
  function scriptView(s: StoredScript) {
    const contents = typeof s.contents === 'string' ? (JSON.parse(s.contents) as unknown) : s.contents;
    return {
      id: s.id,
      project_id: projectId,
      display_name: s.display_name,
      type: 'swml_script',
      created_at: s.created_at,
      updated_at: s.updated_at,
      swml_script: { id: s.id, display_name: s.display_name, script_type: 'calling', request_url: s.request_url, contents },
    };
  }

  function addNumber(e164: string, handler: Partial<WireNumber> = {}): WireNumber {
    const n: WireNumber = {
      id: randomUUID(),
      number: e164,
      name: null,
      capabilities: ['voice', 'sms', 'mms', 'fax'],
      number_type: 'longcode',
      call_handler: null,
      call_receive_mode: 'voice',
      call_request_url: null,
      call_request_method: null,
      call_relay_script_url: null,
      call_laml_application_id: null,
      call_relay_application: null,
      call_relay_topic: null,
      calling_handler_resource_id: null,
      created_at: now(),
      updated_at: now(),
      ...handler,
    };
    numbers.set(n.id, n);
    return n;
  }

  const http = await startLoopback<LoggedRequest>({
    jsonType: 'application/json; charset=utf-8',
    entry: () => ({}),
    handle,
    faultAnswer: plain,
    failure: (err) => {
      process.stderr.write(`signalwire stand-in: ${String(err)}\n`);
      return plain(500);
    },
  });
  baseUrl = http.url;

  const instance: SignalWireStandIn = {
    url: baseUrl,
    space,
    projectId,
    apiToken,
    numbers,
    scripts,
    requests: http.requests,
    tokenScopes,
    logs,
    events,
    verified,
    neverAnswer: false,
    callNumber,
    endedByApi,
    writes: () => http.requests.filter((r) => r.method !== 'GET'),
    addNumber,
    addScript,
    fault: http.fault,
    clearFaults: http.clearFaults,
    stop: async () => {
      stopped = true;
      for (const leg of legs.values()) finish(leg, 'completed', { end_reason: 'hangup' });
      for (const t of timers) clearTimeout(t);
      await http.stop();
    },
  };
  return instance;
}

function isHttpUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    return /^https?:$/.test(new URL(v).protocol);
  } catch {
    return false;
  }
}

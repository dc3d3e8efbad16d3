// A Telnyx stand-in: the API v2 operations the Telnyx carrier uses (balance, phone numbers, FQDN connections and their
// FQDNs, Call Control applications, calls, call events) on one loopback server, as strict as Telnyx's published
// OpenAPI document: every request's path, query (deepObject `filter[…]` / `page[…]`) and JSON body, and every answer,
// is checked against test/fixtures/telnyx-openapi/spec3.json (team-telnyx/openapi, the commit in its x-source). A
// request the document would refuse gets 422 (400 where the operation lists only that) in Telnyx's `{ errors: [{ code,
// title, detail }] }`; an answer it does not describe fails the request with 500 and is recorded in `violations`, so a
// test asserts there were none. Auth is `Authorization: Bearer <key>`; without it, 401 in the document's
// UnauthenticatedResponse shape. The error codes and titles it answers are the stand-in's own choice, not read from a
// real account. Call events: the document types a CallEvent's `metadata` only as an object ("includes raw event, and
// extra information based on event type"); the stand-in puts a `call.hangup` webhook's data under `metadata.event`,
// checked against the document's CallHangup schema, and leaves the other events' metadata empty. Which hangup_cause
// and sip_hangup_cause Telnyx records for which SIP answer of the far end is the stand-in's choice too (SIP code → the
// hangup_cause of the same meaning), not read from a real call.
import { randomBytes, randomUUID } from 'node:crypto';
import { Answer, startLoopback, type Fault, type LoggedRequest } from './loopback.ts';
import { checkNamedResponse, checkNamedSchema, checkRequest, checkResponse, loadDoc, match, type Matched } from './openapi.ts';
import type { SipAnswer, SipDialer } from './sip-dialer.ts';

const DOC = loadDoc(new URL('../fixtures/telnyx-openapi/spec3.json', import.meta.url));

let serial = 1_000_000_000;
/** Telnyx ids are int64 written as strings (x-format int64). */
const newId = () => String(++serial * 1000 + Math.floor(Math.random() * 1000));

export interface NumberRow {
  id: string;
  phone_number: string;
  connection_id: string | null;
  tags?: string[];
}
export interface ConnectionRow {
  id: string;
  connection_name: string;
  transport_protocol: string;
  inbound: { ani_number_format: string; dnis_number_format: string };
}
export interface FqdnRow {
  id: string;
  connection_id: string;
  fqdn: string;
  port: number;
  dns_record_type: string;
}
export interface AppRow {
  id: string;
  application_name: string;
  webhook_event_url: string;
}
export interface CallRow {
  call_control_id: string;
  call_leg_id: string;
  call_session_id: string;
  connection_id: string;
  to: string;
  from: string;
  is_alive: boolean;
  time_limit_secs: number;
  /** The leg towards the number's FQDN, once it answered. */
  sip?: { code: number; reason: string };
  started: string;
  /** Ended by `actions/hangup`. */
  hungUpByApi?: boolean;
}

export interface CallEventRow {
  record_type: 'call_event';
  call_leg_id: string;
  call_session_id: string;
  event_timestamp: string;
  name: string;
  type: 'command' | 'webhook';
  metadata: Record<string, unknown>;
}

/** The hangup_cause a call.hangup records for the far end's final SIP answer (the stand-in's choice, see above). */
const HANGUP_CAUSE: Record<number, string> = { 200: 'normal_clearing', 403: 'call_rejected', 603: 'call_rejected', 404: 'not_found', 408: 'timeout', 480: 'no_answer', 486: 'user_busy', 600: 'user_busy', 487: 'originator_cancel' };

export interface TelnyxStandIn {
  url: string;
  apiKey: string;
  /** Its key and base URL, as settings. */
  settings(): { TELNYX_API_KEY: string; TELNYX_API_URL: string };
  requests: LoggedRequest[];
  numbers: Map<string, NumberRow>;
  connections: Map<string, ConnectionRow>;
  fqdns: Map<string, FqdnRow>;
  apps: Map<string, AppRow>;
  calls: Map<string, CallRow>;
  /** Every call's events, in the order they happened. */
  events: CallEventRow[];
  /** Answers the stand-in gave that the published document does not describe (should stay empty). */
  violations: string[];
  addNumber(e164: string, connectionId?: string | null): NumberRow;
  /** Requests that change something. */
  writes(): LoggedRequest[];
  fault(f: Fault): void;
  stop(): Promise<void>;
}

const errors = (status: number, code: string, title: string, detail?: string) => new Answer(status, { errors: [{ code, title, ...(detail ? { detail } : {}) }] });

/** The number as a connection writes it into its INVITE (InboundFqdn's ani/dnis formats; national = without +1 here). */
export function formatNumber(e164: string, format: string): string {
  const digits = e164.replace(/^\+/, '');
  if (/national/.test(format)) return e164.startsWith('+1') ? digits.slice(1) : format.startsWith('+') ? e164 : digits;
  return format.startsWith('+') ? `+${digits}` : digits;
}

/**
 * `dialer`: where a call to a number on an FQDN connection goes, as Telnyx would send it: an INVITE to
 * `sip:<called>@<fqdn>:<port>;transport=<connection's>` with To and From written in the connection's inbound formats,
 * from `sourceAddress` (Telnyx's US primary signalling address unless told otherwise). Without one such a call fails.
 */
export async function startTelnyx(opts: { apiKey?: string; dialer?: SipDialer; sourceAddress?: string; hangupEventDelayMs?: number } = {}): Promise<TelnyxStandIn> {
  const apiKey = opts.apiKey ?? `KEY${randomBytes(16).toString('hex').toUpperCase()}_${randomBytes(8).toString('hex')}`;
  const numbers = new Map<string, NumberRow>();
  const connections = new Map<string, ConnectionRow>();
  const fqdns = new Map<string, FqdnRow>();
  const apps = new Map<string, AppRow>();
  const calls = new Map<string, CallRow>();
  const legs = new Map<string, SipAnswer>();
  const violations: string[] = [];
  const events: CallEventRow[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const now = () => new Date().toISOString();

  const record = (c: CallRow, type: CallEventRow['type'], name: string, metadata: Record<string, unknown> = {}) =>
    void events.push({ record_type: 'call_event', call_leg_id: c.call_leg_id, call_session_id: c.call_session_id, event_timestamp: now(), name, type, metadata });
  /** The call.hangup webhook's data as CallHangup describes it; recorded late when told to (`hangupEventDelayMs`). */
  function hungUp(c: CallRow, cause: string, source: 'caller' | 'callee' | 'unknown', sip: string) {
    const event = {
      record_type: 'event', event_type: 'call.hangup', id: randomUUID(), occurred_at: now(),
      payload: {
        call_control_id: c.call_control_id, connection_id: c.connection_id, call_leg_id: c.call_leg_id, call_session_id: c.call_session_id,
        from: c.from, to: c.to, start_time: c.started, state: 'hangup', hangup_cause: cause, hangup_source: source, sip_hangup_cause: sip,
      },
    };
    const wrong = checkNamedSchema(DOC, 'CallHangup', event, 'call.hangup metadata.event');
    if (wrong.length) violations.push(...wrong);
    const put = () => record(c, 'webhook', 'call.hangup', { event });
    if (!opts.hangupEventDelayMs) return put();
    const t = setTimeout(() => (timers.delete(t), put()), opts.hangupEventDelayMs);
    timers.add(t);
  }

  const numberWire = (n: NumberRow) => ({
    id: n.id, record_type: 'phone_number', phone_number: n.phone_number, country_iso_alpha2: 'US', status: 'active', tags: [...(n.tags ?? [])], external_pin: null,
    connection_id: n.connection_id, connection_name: n.connection_id ? (connections.get(n.connection_id)?.connection_name ?? apps.get(n.connection_id)?.application_name ?? null) : null,
    created_at: '2026-01-01T00:00:00Z', purchased_at: '2026-01-01T00:00:00Z', phone_number_type: 'local', deletion_lock_enabled: false,
  });
  const connectionWire = (c: ConnectionRow) => ({ id: c.id, record_type: 'fqdn_connection', active: true, connection_name: c.connection_name, transport_protocol: c.transport_protocol, inbound: { ...c.inbound } });
  const fqdnWire = (f: FqdnRow) => ({ id: f.id, record_type: 'fqdn', connection_id: f.connection_id, fqdn: f.fqdn, port: f.port, dns_record_type: f.dns_record_type });
  const appWire = (a: AppRow) => ({ id: a.id, record_type: 'call_control_application', application_name: a.application_name, webhook_event_url: a.webhook_event_url, active: true });
  const callWire = (c: CallRow) => ({ record_type: 'call', call_control_id: c.call_control_id, call_leg_id: c.call_leg_id, call_session_id: c.call_session_id, is_alive: c.is_alive });
  const notFound = (what: string): never => {
    throw errors(404, '10005', 'Resource not found', `${what} not found`);
  };
  const invalid = (detail: string, pointer?: string): never => {
    throw new Answer(422, { errors: [{ code: '10015', title: 'Invalid value', detail, ...(pointer ? { source: { pointer } } : {}) }] });
  };

  /** One page of a list, with Telnyx's meta. */
  function page<T>(rows: T[], q: URLSearchParams) {
    const size = Number(q.get('page[size]') ?? 20);
    const number = Number(q.get('page[number]') ?? 1);
    const total_pages = Math.max(1, Math.ceil(rows.length / size));
    return { data: rows.slice((number - 1) * size, number * size), meta: { total_pages, total_results: rows.length, page_number: number, page_size: size } };
  }

  /** The call runs on its own: to a number on an FQDN connection, an INVITE to the connection's first FQDN. */
  async function run(c: CallRow) {
    const n = [...numbers.values()].find((x) => x.phone_number === c.to);
    const conn = n?.connection_id ? connections.get(n.connection_id) : undefined;
    const f = conn ? [...fqdns.values()].find((x) => x.connection_id === conn.id) : undefined;
    if (!conn || !f || !opts.dialer) {
      // Nowhere to send it: the stand-in records a hangup that names no cause.
      c.is_alive = false;
      return hungUp(c, 'unspecified', 'unknown', 'unspecified');
    }
    const to = formatNumber(c.to, conn.inbound.dnis_number_format);
    const from = formatNumber(c.from, conn.inbound.ani_number_format);
    const source = opts.sourceAddress ?? '192.76.120.10';
    const answer = await opts.dialer({ uri: `sip:${to}@${f.fqdn}:${f.port};transport=${conn.transport_protocol.toLowerCase()}`, from, holdMs: c.time_limit_secs * 1000, source });
    c.sip = { code: answer.code, reason: answer.reason };
    if (!c.is_alive) {
      // Hung up through the API before the far end answered: the caller cancelled the INVITE.
      hungUp(c, 'originator_cancel', 'caller', '487');
      return void (await answer.hangup());
    }
    if (answer.code !== 200) {
      c.is_alive = false;
      return hungUp(c, HANGUP_CAUSE[answer.code] ?? 'unspecified', 'callee', String(answer.code));
    }
    record(c, 'webhook', 'call.answered');
    legs.set(c.call_control_id, answer);
    await answer.ended;
    c.is_alive = false;
    hungUp(c, 'normal_clearing', c.hungUpByApi ? 'caller' : 'callee', '200');
  }

  type Body = Record<string, any>;
  type Handler = (p: Record<string, string>, q: URLSearchParams, b: Body) => { status: number; body?: unknown };
  const handlers: Record<string, Handler> = {
    'GET /balance': () => ({ status: 200, body: { data: { record_type: 'balance', balance: '10.00', pending: '0.00', credit_limit: '0.00', available_credit: '10.00', currency: 'USD' } } }),
    'GET /phone_numbers': (_p, q) => {
      // The filter matches part of the number, as a search does; a non-digit in it matches nothing (its description).
      const raw = q.get('filter[phone_number]');
      if (raw !== null && /\D/.test(raw)) return { status: 200, body: page([], q) };
      const want = raw ?? undefined;
      const conn = q.get('filter[connection_id]');
      const rows = [...numbers.values()].filter((n) => (!want || n.phone_number.includes(want)) && (!conn || n.connection_id === conn));
      return { status: 200, body: { ...page(rows.map(numberWire), q) } };
    },
    'GET /phone_numbers/{id}': (p) => ({ status: 200, body: { data: numberWire(numbers.get(p.id!) ?? notFound('phone number')) } }),
    'PATCH /phone_numbers/{id}': (p, _q, b) => {
      const n = numbers.get(p.id!) ?? notFound('phone number');
      if (b.connection_id !== undefined) {
        if (b.connection_id !== '' && !connections.has(b.connection_id) && !apps.has(b.connection_id)) invalid('connection_id does not name a connection of this account', '/connection_id');
        n.connection_id = b.connection_id || null;
      }
      if (b.tags !== undefined) n.tags = [...b.tags];
      return { status: 200, body: { data: numberWire(n) } };
    },
    'GET /fqdn_connections': (_p, q) => {
      const part = q.get('filter[connection_name][contains]');
      // Telnyx's API reference: the match ignores case and needs at least three characters.
      if (part !== null && part.length < 3) invalid('filter[connection_name][contains] needs at least three characters');
      const rows = [...connections.values()].filter((c) => !part || c.connection_name.toLowerCase().includes(part.toLowerCase()));
      return { status: 200, body: page(rows.map(connectionWire), q) };
    },
    'POST /fqdn_connections': (_p, _q, b) => {
      // Unset formats take InboundFqdn's defaults, as Telnyx documents them.
      const c: ConnectionRow = {
        id: newId(),
        connection_name: b.connection_name,
        transport_protocol: b.transport_protocol ?? 'UDP',
        inbound: { ani_number_format: b.inbound?.ani_number_format ?? 'E.164-national', dnis_number_format: b.inbound?.dnis_number_format ?? 'e164' },
      };
      connections.set(c.id, c);
      return { status: 201, body: { data: connectionWire(c) } };
    },
    'GET /fqdn_connections/{id}': (p) => ({ status: 200, body: { data: connectionWire(connections.get(p.id!) ?? notFound('connection')) } }),
    'PATCH /fqdn_connections/{id}': (p, _q, b) => {
      const c = connections.get(p.id!) ?? notFound('connection');
      if (b.connection_name !== undefined) c.connection_name = b.connection_name;
      if (b.transport_protocol !== undefined) c.transport_protocol = b.transport_protocol;
      c.inbound = { ...c.inbound, ...(b.inbound?.ani_number_format ? { ani_number_format: b.inbound.ani_number_format } : {}), ...(b.inbound?.dnis_number_format ? { dnis_number_format: b.inbound.dnis_number_format } : {}) };
      return { status: 200, body: { data: connectionWire(c) } };
    },
    'DELETE /fqdn_connections/{id}': (p) => {
      const c = connections.get(p.id!) ?? notFound('connection');
      connections.delete(c.id);
      return { status: 200, body: { data: connectionWire(c) } };
    },
    'GET /fqdns': (_p, q) => {
      const conn = q.get('filter[connection_id]');
      const rows = [...fqdns.values()].filter((f) => !conn || f.connection_id === conn);
      return { status: 200, body: page(rows.map(fqdnWire), q) };
    },
    'POST /fqdns': (_p, _q, b) => {
      if (!connections.has(b.connection_id)) invalid('connection_id does not name an FQDN connection of this account', '/connection_id');
      const f: FqdnRow = { id: newId(), connection_id: b.connection_id, fqdn: b.fqdn, port: b.port ?? 5060, dns_record_type: b.dns_record_type };
      fqdns.set(f.id, f);
      return { status: 201, body: { data: fqdnWire(f) } };
    },
    'PATCH /fqdns/{id}': (p, _q, b) => {
      const f = fqdns.get(p.id!) ?? notFound('FQDN');
      for (const k of ['fqdn', 'port', 'dns_record_type', 'connection_id'] as const) if (b[k] !== undefined && b[k] !== null) (f as any)[k] = b[k];
      return { status: 200, body: { data: fqdnWire(f) } };
    },
    'DELETE /fqdns/{id}': (p) => {
      const f = fqdns.get(p.id!) ?? notFound('FQDN');
      fqdns.delete(f.id);
      return { status: 200, body: { data: fqdnWire(f) } };
    },
    'GET /call_control_applications': (_p, q) => {
      const part = q.get('filter[application_name][contains]');
      const rows = [...apps.values()].filter((a) => !part || a.application_name.toLowerCase().includes(part.toLowerCase()));
      return { status: 200, body: page(rows.map(appWire), q) };
    },
    'POST /call_control_applications': (_p, _q, b) => {
      const a: AppRow = { id: newId(), application_name: b.application_name, webhook_event_url: b.webhook_event_url };
      apps.set(a.id, a);
      return { status: 201, body: { data: appWire(a) } };
    },
    'POST /calls': (_p, _q, b) => {
      if (!apps.has(b.connection_id)) invalid('connection_id must name a Call Control application', '/connection_id');
      if (typeof b.to !== 'string') invalid('the stand-in dials one number at a time', '/to');
      if (b.timeout_secs !== undefined && (b.timeout_secs < 5 || b.timeout_secs > 600)) invalid('timeout_secs must be between 5 and 600', '/timeout_secs');
      if (![...numbers.values()].some((n) => n.phone_number === b.from)) invalid('from must be a number of this account', '/from');
      const c: CallRow = {
        call_control_id: `v3:${randomBytes(16).toString('base64url')}`,
        call_leg_id: randomUUID(),
        call_session_id: randomUUID(),
        connection_id: b.connection_id,
        to: b.to,
        from: b.from,
        is_alive: true,
        time_limit_secs: b.time_limit_secs ?? 14400,
        started: now(),
      };
      calls.set(c.call_control_id, c);
      record(c, 'command', 'dial');
      record(c, 'webhook', 'call.initiated');
      void run(c);
      // "For Dial command it will always be false (dialing is asynchronous)" (Call.is_alive).
      return { status: 200, body: { data: { ...callWire(c), is_alive: false } } };
    },
    'GET /calls/{call_control_id}': (p) => ({ status: 200, body: { data: callWire(calls.get(p.call_control_id!) ?? notFound('call')) } }),
    'POST /calls/{call_control_id}/actions/hangup': (p) => {
      const c = calls.get(p.call_control_id!) ?? notFound('call');
      if (!c.is_alive) throw errors(422, '90018', 'Call has already ended', 'This call is no longer active and can no longer receive commands.');
      c.is_alive = false;
      c.hungUpByApi = true;
      record(c, 'command', 'hangup');
      void legs.get(c.call_control_id)?.hangup();
      return { status: 200, body: { data: { result: 'ok' } } };
    },
    'GET /call_events': (_p, q) => {
      const leg = q.get('filter[leg_id]');
      const session = q.get('filter[application_session_id]');
      // The document gives both as format uuid, which the checker does not read: refused here, as Telnyx would.
      for (const [k, v] of [['leg_id', leg], ['application_session_id', session]] as const)
        if (v !== null && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) invalid(`filter[${k}] must be a UUID`);
      const name = q.get('filter[name]');
      const type = q.get('filter[type]');
      // Without a leg or session, only the last 24 hours (ListCallEvents' description).
      const since = leg || session ? 0 : Date.now() - 24 * 3600_000;
      const rows = events.filter(
        (e) => (!leg || e.call_leg_id === leg) && (!session || e.call_session_id === session) && (!name || e.name === name) && (!type || e.type === type) && Date.parse(e.event_timestamp) >= since,
      );
      return { status: 200, body: page(rows, q) };
    },
  };

  /** The status a refused request gets: 422 where the operation lists it, else 400, else 422 under `default`. */
  const refusal = (m: Matched) => (m.operation.responses['422'] ? 422 : m.operation.responses['400'] ? 400 : 422);
  /** An answer, checked against the document before it goes out. */
  function answer(x: { req: { method?: string } }, m: Matched, status: number, body: unknown): { status: number; body: unknown } {
    const wrong = checkResponse(DOC, m, status, body, { undescribedBody: status >= 400 ? 'allow' : 'refuse' });
    if (!wrong.length) return { status, body };
    violations.push(...wrong.map((w) => `${x.req.method} ${m.template}: ${w}`));
    throw new Answer(500, { errors: [{ code: '10007', title: 'Unexpected error', detail: `stand-in answer outside the published document: ${wrong.join('; ')}` }] });
  }

  const lb = await startLoopback<LoggedRequest>({
    jsonType: 'application/json',
    entry: () => ({}),
    faultAnswer: (status) => (status === 401 ? errors(401, '10009', 'Authentication failed') : errors(status, '10007', 'Injected failure')),
    async handle(x) {
      const path = x.url.pathname.replace(/^\/v2(?=\/)/, '');
      const m = x.url.pathname.startsWith('/v2/') ? match(DOC, x.req.method ?? 'GET', path) : undefined;
      if (!m) throw errors(404, '10005', 'Resource not found', `${x.req.method} ${x.url.pathname} is not an operation of the document`);
      if (x.req.headers.authorization !== `Bearer ${apiKey}`) {
        const body = { errors: [{ code: '10009', title: 'Authentication failed', detail: 'Could not understand the provided credentials.' }] };
        // Every operation takes bearerAuth (the document's global security); where one lists no 401, the shape is
        // the document's UnauthenticatedResponse.
        const wrong = m.operation.responses['401'] || m.operation.responses.default ? checkResponse(DOC, m, 401, body) : checkNamedResponse(DOC, 'UnauthenticatedResponse', body);
        if (wrong.length) violations.push(...wrong.map((w) => `401 ${m.template}: ${w}`));
        throw new Answer(401, body);
      }
      let json: { body: unknown } | undefined;
      if (x.raw) {
        if (!(x.req.headers['content-type'] ?? '').startsWith('application/json')) throw new Answer(refusal(m), { errors: [{ code: '10015', title: 'Invalid request', detail: 'Content-Type must be application/json' }] });
        try {
          json = { body: JSON.parse(x.raw) as unknown };
        } catch {
          throw new Answer(400, { errors: [{ code: '10015', title: 'Invalid JSON', detail: 'the body is not JSON' }] });
        }
      }
      const problems = checkRequest(DOC, m, x.url.searchParams, undefined, json);
      if (problems.length) {
        const a = answer(x, m, refusal(m), { errors: problems.map((detail) => ({ code: '10015', title: 'Invalid value', detail })) });
        throw new Answer(a.status, a.body);
      }
      const h = handlers[`${x.req.method} ${m.template}`];
      if (!h) throw new Answer(500, { errors: [{ code: '10007', title: 'Not in the stand-in', detail: `${x.req.method} ${m.template}` }] });
      let r: { status: number; body?: unknown };
      try {
        r = h(m.params, x.url.searchParams, (json?.body ?? {}) as Body);
      } catch (err) {
        if (!(err instanceof Answer)) throw err;
        // A refusal goes out under the status the operation lists for one (GET /fqdn_connections lists 400, not 422).
        r = { status: err.status === 422 ? refusal(m) : err.status, body: err.body };
      }
      const a = answer(x, m, r.status, r.body);
      x.send(a.status, a.body);
    },
  });

  return {
    url: lb.url,
    apiKey,
    settings: () => ({ TELNYX_API_KEY: apiKey, TELNYX_API_URL: lb.url }),
    requests: lb.requests,
    numbers,
    connections,
    fqdns,
    apps,
    calls,
    events,
    violations,
    addNumber(e164, connectionId = null) {
      const n: NumberRow = { id: newId(), phone_number: e164, connection_id: connectionId };
      numbers.set(n.id, n);
      return n;
    },
    writes: () => lb.requests.filter((r) => r.method !== 'GET'),
    fault: (f) => lb.fault(f),
    stop: async () => {
      for (const t of timers) clearTimeout(t);
      await Promise.all([...legs.values()].map((l) => l.hangup()));
      await lb.stop();
    },
  };
}

// A SignalWire stand-in: the REST subset the wizard uses (phone numbers, Fabric SWML scripts) on
// loopback, strict where SignalWire is: HTTP Basic auth, token scopes, and request bodies checked
// field by field so a test proves the wire shape. Error bodies take SignalWire's published shapes
// (github.com/signalwire/docs specs/signalwire-rest/types/status-codes):
//   401/403/404/500 → { error: "Unauthorized" | "Forbidden" | "Not Found" | "Internal Server Error" }
//   /api/relay/rest 422 → { errors: [{ detail, status, title, code }] }
//   /api/fabric 422     → { errors: [{ type, code, message, attribute, url }] }
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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

export interface LoggedRequest {
  method: string;
  /** Path with its query string, as sent. */
  path: string;
  /** The decoded JSON body; undefined without one. */
  body: unknown;
}

export interface Fault {
  /** Answer with this status instead (SignalWire's error body for it). */
  status?: number;
  /** Wait this long before answering. */
  delayMs?: number;
  /** How many requests it applies to; default every one. */
  times?: number;
}

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
  /** Applies to requests whose "METHOD /path" or "/path" (no query) starts with `route`. */
  fault(route: string, fault: Fault): void;
  stop(): Promise<void>;
}

const NUMBERS = '/api/relay/rest/phone_numbers';
const SCRIPTS = '/api/fabric/resources/swml_scripts';

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

class HttpError extends Error {
  constructor(readonly status: number, readonly body: unknown) {
    super(`HTTP ${status}`);
  }
}

const plain = (status: number) =>
  new HttpError(status, {
    error: { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 415: 'Unsupported Media Type' }[status] ??
      (status >= 500 ? 'Internal Server Error' : 'Error'),
  });
const relay422 = (detail: string) => new HttpError(422, { errors: [{ detail, status: '422', title: 'Invalid Attribute', code: '422' }] });
const fabric422 = (code: string, message: string, attribute: string | null) =>
  new HttpError(422, { errors: [{ type: 'validation_error', code, message, attribute, url: ERROR_CODES_URL }] });

export async function startSignalWire(opts: SignalWireStandInOptions = {}): Promise<SignalWireStandIn> {
  const projectId = opts.projectId ?? randomUUID();
  const apiToken = opts.apiToken ?? `PT${randomUUID().replace(/-/g, '')}`;
  const space = opts.space ?? 'example.signalwire.com';
  const pageSize = opts.pageSize ?? 50;
  const numbers = new Map<string, WireNumber>();
  const scripts = new Map<string, StoredScript>();
  const requests: LoggedRequest[] = [];
  const tokenScopes = new Set<Scope>(opts.tokenScopes ?? ['numbers', 'voice']);
  const faults: Array<{ route: string } & Fault> = [];
  const now = () => new Date().toISOString();
  let baseUrl = '';
  const timers = new Set<NodeJS.Timeout>(); // fault delays, cut short by stop()

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!(err instanceof HttpError)) process.stderr.write(`signalwire stand-in: ${String(err)}\n`);
      send(res, err instanceof HttpError ? err : plain(500));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const raw = await readBody(req);
    const u = new URL(req.url ?? '/', 'http://stand-in');
    const method = req.method ?? 'GET';
    let body: unknown;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    requests.push({ method, path: u.pathname + u.search, body });

    const f = faults.find((x) => `${method} ${u.pathname}`.startsWith(x.route) || u.pathname.startsWith(x.route));
    if (f) {
      if (f.times !== undefined && --f.times <= 0) faults.splice(faults.indexOf(f), 1);
      if (f.delayMs) await new Promise((r) => timers.add(setTimeout(r, f.delayMs)));
      if (f.status) throw plain(f.status);
    }

    if (!authorised(req.headers.authorization)) {
      res.setHeader('www-authenticate', 'Basic realm="SignalWire"');
      throw plain(401);
    }
    if (raw && !/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw plain(415);
    if (raw && typeof body === 'string') throw plain(400);

    const parts = u.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const base = `/${parts.slice(0, 4).join('/')}`;
    const id = parts[4];
    if (parts.length > 5) throw plain(404);

    if (base === NUMBERS) {
      needScope(['numbers']);
      if (method === 'GET' && !id) return send(res, 200, page([...numbers.values()].filter(byNumber(u.searchParams.get('filter_number'))), u));
      const n = id ? numbers.get(id) : undefined;
      if (!n) throw plain(404);
      if (method === 'GET') return send(res, 200, n);
      if (method === 'PUT') return send(res, 200, updateNumber(n, body));
      throw plain(404);
    }
    if (base === SCRIPTS) {
      needScope(['voice', 'messaging', 'fax', 'video']);
      if (method === 'GET' && !id) {
        const views = [...scripts.values()].map(scriptView);
        if (opts.listOmitsContents) for (const v of views) delete (v.swml_script as { contents?: unknown }).contents;
        return send(res, 200, page(views, u));
      }
      if (method === 'POST' && !id) return send(res, 200, scriptView(createScript(body)));
      const s = id ? scripts.get(id) : undefined;
      if (!s) throw plain(404);
      if (method === 'GET') return send(res, 200, scriptView(s));
      if (method === 'PUT') return send(res, 200, scriptView(updateScript(s, body)));
      if (method === 'DELETE') {
        // delete_swml_script answers 204 with no body (fabric-api/swml-scripts/main.tsp).
        scripts.delete(s.id);
        res.writeHead(204).end();
        return;
      }
      throw plain(404);
    }
    throw plain(404);
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

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    space,
    projectId,
    apiToken,
    numbers,
    scripts,
    requests,
    tokenScopes,
    writes: () => requests.filter((r) => r.method !== 'GET'),
    addNumber,
    addScript,
    fault: (route, fault) => void faults.push({ route, ...fault }),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, statusOrError: number | HttpError, body?: unknown) {
  const [status, payload] = statusOrError instanceof HttpError ? [statusOrError.status, statusOrError.body] : [statusOrError, body];
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(payload));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function isHttpUrl(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  try {
    return /^https?:$/.test(new URL(v).protocol);
  } catch {
    return false;
  }
}

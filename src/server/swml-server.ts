// The HTTP endpoint SignalWire's "External URL" SWML handler calls. SignalWire POSTs
// `{ call: { to, from, … }, vars, params, envs }` (FACTS.md); GET with ?to=&from= exists for curl tests.
// Every call gets the same document: SignalWire itself substitutes %{call.to}, so the body is
// rendered once at start and only the request is checked.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { swmlJson, type SwmlDocument } from '../render/swml.js';
import { SWML_PATH } from '../swml-target.js';
import { toE164 } from '../validate.js';
import { SIGNATURE_HEADER, signedUrls, verifySignature } from './signature.js';

export { SWML_PATH };
export const HEALTH_PATH = '/healthz';
export const MAX_BODY_BYTES = 64 * 1024;

export interface SwmlServerOptions {
  /** The document every call receives (the same as the `swml` command prints). */
  swml: SwmlDocument;
  /** SIGNALWIRE_SIGNING_KEY. When set, every request to the SWML path needs a valid X-SignalWire-Signature. */
  signingKey?: string | undefined;
  /** API_BASE_URL: the public base SignalWire signs against. Without it the URL is rebuilt from the request. */
  publicBaseUrl?: string | undefined;
  /** Receives one line per request: time, method, path, status, ms, and a short reason on errors. */
  log?: ((line: string) => void) | undefined;
  maxBodyBytes?: number;
}

/** A request we refuse, with the status and the one-line reason the client and the log see. */
class Reject extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function createSwmlServer(opts: SwmlServerOptions): Server {
  const swmlBody = Buffer.from(swmlJson(opts.swml));
  const swmlHeaders = jsonHeaders(swmlBody.length);
  const healthBody = Buffer.from('{"ok":true}\n');
  const healthHeaders = jsonHeaders(healthBody.length);
  const maxBody = opts.maxBodyBytes ?? MAX_BODY_BYTES;

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const x: Exchange = { req, res, server, log: opts.log, started: performance.now(), path: q === -1 ? url : url.slice(0, q), hadQuery: q !== -1 };
    try {
      if (x.path === HEALTH_PATH) {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(req.method, 'GET, HEAD');
        return send(x, 200, healthBody, healthHeaders);
      }
      if (x.path !== SWML_PATH) throw new Reject(404, `not found; the SWML endpoint is ${SWML_PATH}`);
      if (req.method === 'GET') {
        checkSignature(req, url, EMPTY);
        const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
        checkCall(query.get('to'), query.get('from'));
        return send(x, 200, swmlBody, swmlHeaders);
      }
      if (req.method !== 'POST') throw methodNotAllowed(req.method, 'GET, POST');
      readBody(req, maxBody, (err, raw) => {
        if (err instanceof Reject) {
          // Too large: answer, then drop the connection rather than read the rest of the body.
          sendError(x, err, { connection: 'close' });
          return void req.pause();
        }
        if (err) {
          x.log?.(logLine(x, 0, 'aborted by client'));
          return void res.destroy();
        }
        try {
          checkSignature(req, url, raw!);
          const call = callOf(raw!);
          checkCall(call.to, call.from);
          send(x, 200, swmlBody, swmlHeaders);
        } catch (e) {
          sendError(x, e);
        }
      });
    } catch (err) {
      sendError(x, err);
    }
  });

  function checkSignature(req: IncomingMessage, url: string, raw: Buffer): void {
    if (!opts.signingKey) return;
    const header = req.headers[SIGNATURE_HEADER];
    if (typeof header !== 'string' || !header)
      throw new Reject(403, 'missing X-SignalWire-Signature: with a signing key set, every request must be signed');
    const urls = signedUrls(req, url, opts.publicBaseUrl);
    if (!verifySignature(opts.signingKey, header, urls.primary, raw, urls.alternates))
      throw new Reject(403, 'invalid X-SignalWire-Signature');
  }

  // SignalWire's answer window is short and the body tiny: do not let slow clients hold sockets.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  return server;
}

/** One request and what its answer and log line need. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  server: Server;
  log: ((line: string) => void) | undefined;
  started: number;
  path: string;
  hadQuery: boolean;
}

/** Response headers as node:http's flat [name, value, …] list: written as they are, no header map built. */
function jsonHeaders(length: number, extra: Record<string, string> = {}): string[] {
  const list = ['content-type', JSON_TYPE, 'content-length', String(length), 'cache-control', 'no-store'];
  for (const [k, v] of Object.entries(extra)) list.push(k, v);
  return list;
}

function send(x: Exchange, status: number, body: Buffer, headers: string[], reason = ''): void {
  const res = x.res;
  if (res.headersSent || res.destroyed) return;
  // Shutting down: answer the request in flight, then let its connection go.
  res.writeHead(status, x.server.listening ? headers : [...headers, 'connection', 'close']);
  res.end(body);
  x.log?.(logLine(x, status, reason));
}

function sendError(x: Exchange, err: unknown, extra?: Record<string, string>): void {
  const r = err instanceof Reject ? err : undefined;
  const body = errorBody(r ? r.message : 'internal error');
  const reason = r ? r.message : `internal error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 200);
  send(x, r ? r.status : 500, body, jsonHeaders(body.length, { ...r?.headers, ...extra }), reason);
}

const EMPTY = Buffer.alloc(0);

/**
 * Reads the body up to `limit` bytes; calls back with a 413 Reject as soon as it is larger, or with an
 * error when the client goes away first ('close' before 'end').
 */
function readBody(req: IncomingMessage, limit: number, cb: (err: Error | undefined, raw?: Buffer) => void): void {
  if (Number(req.headers['content-length']) > limit) return cb(tooLarge(limit));
  let first: Buffer | undefined;
  let more: Buffer[] | undefined;
  let size = 0;
  let settled = false;
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit) {
      settled = true;
      req.off('data', onData);
      return cb(tooLarge(limit));
    }
    if (!first) first = chunk;
    else (more ??= [first]).push(chunk);
  };
  req.on('data', onData);
  req.on('end', () => {
    if (!settled) (settled = true), cb(undefined, more ? Buffer.concat(more) : (first ?? EMPTY));
  });
  req.on('close', () => {
    if (!settled) (settled = true), cb(new Error('aborted'));
  });
}

const tooLarge = (limit: number) => new Reject(413, `body larger than ${limit / 1024} KB`);

function methodNotAllowed(method: string | undefined, allow: string): Reject {
  return new Reject(405, `method ${method} not allowed; use ${allow.replace(', ', ' or ')}`, { allow });
}

/** `call.to` / `call.from` from SignalWire's JSON body. */
function callOf(raw: Buffer): { to?: unknown; from?: unknown } {
  if (raw.length === 0) throw new Reject(400, "empty body; expected SignalWire's JSON { call: { to, from } }");
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new Reject(400, 'body is not valid JSON');
  }
  if (!isObject(body)) throw new Reject(400, 'body must be a JSON object');
  if (body.call === undefined || body.call === null) return {};
  if (!isObject(body.call)) throw new Reject(400, 'call must be an object');
  return body.call;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// A withheld caller ID arrives as one of these (bare or as a SIP user); it is not a bad request.
const WITHHELD = new Set(['anonymous', 'restricted', 'private', 'unknown', 'unavailable']);

function checkCall(to: unknown, from: unknown): void {
  if (to !== undefined && to !== null && !calledNumber(to)) throw new Reject(400, 'call.to must be an E.164 number like +14244851544');
  if (from !== undefined && from !== null && !callerNumber(from) && !WITHHELD.has(sipUser(String(from)).toLowerCase()))
    throw new Reject(400, 'call.from must be an E.164 number like +14244851544');
}

/**
 * The E.164 number in `+14244851544` or `sip:+14244851544@host;params`, else undefined. In E.164 form only:
 * a caller is never turned away because a numbering plan is missing from the phone metadata.
 */
export function callerNumber(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  // In a query string an unescaped "+" arrives as a space.
  const user = sipUser(raw).replace(/^ (?=\d)/, '+');
  return /^\+[1-9]\d{6,14}$/.test(user) ? user : undefined;
}

// The called number is one of ours, the same on every call: check it against the numbering plan (as the
// wizard does), once.
const calledSeen = new Map<string, string | undefined>();

/** A caller-style number that is also a valid number for its country. */
export function calledNumber(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  if (calledSeen.has(raw)) return calledSeen.get(raw);
  const n = callerNumber(raw);
  const valid = n && toE164(n) === n ? n : undefined;
  if (calledSeen.size >= 64) calledSeen.clear();
  calledSeen.set(raw, valid);
  return valid;
}

function sipUser(raw: string): string {
  const m = /^sips?:([^@;]*)(@.*)?$/i.exec(raw.trim());
  return m ? m[1]! : raw;
}

function errorBody(message: string): Buffer {
  return Buffer.from(`${JSON.stringify({ error: message })}\n`);
}

/** Time, method, path (no query values: they may carry numbers or secrets), status, ms, reason. */
function logLine(x: Exchange, status: number, reason: string): string {
  const known = x.path === SWML_PATH || x.path === HEALTH_PATH;
  const path = (known ? x.path : x.path.replace(/[^\x21-\x7e]/g, '?').slice(0, 120)) + (x.hadQuery ? '?…' : '');
  const ms = (performance.now() - x.started).toFixed(1);
  return `${isoNow()} ${x.req.method ?? '-'} ${path} ${status || '-'} ${ms}ms${reason ? ` ${reason}` : ''}`;
}

// Under load many lines share a millisecond; format its time once.
let lastMs = 0;
let lastIso = '';
function isoNow(): string {
  const now = Date.now();
  if (now !== lastMs) (lastMs = now), (lastIso = new Date(now).toISOString());
  return lastIso;
}

/**
 * Stops accepting connections, lets in-flight requests finish, and after `graceMs` closes whatever is
 * still open. Resolves once every connection is gone.
 */
export function closeGracefully(server: Server, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

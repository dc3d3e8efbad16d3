// The HTTP endpoint SignalWire's "External URL" SWML handler calls. SignalWire POSTs
// `{ call: { to, from, … }, vars, params, envs }` (FACTS.md); GET with ?to=&from= exists for curl tests.
// Every call gets the same document: SignalWire itself substitutes %{call.to}, so the body is
// rendered once at start and only the request is checked.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { swmlJson, type SwmlDocument } from '../render/swml.js';
import { toE164 } from '../validate.js';
import { SIGNATURE_HEADER, signedUrlCandidates, verifySignature } from './signature.js';

export const SWML_PATH = '/api/swml-inbound';
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
  const healthBody = Buffer.from('{"ok":true}\n');
  const maxBody = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  const log = opts.log;

  const server = createServer((req, res) => {
    const started = performance.now();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);

    const done = (status: number, body: Buffer, headers: Record<string, string> = {}, reason = '') => {
      if (res.headersSent || res.destroyed) return;
      // Shutting down: answer the request in flight, then let its connection go.
      if (!server.listening) res.setHeader('connection', 'close');
      res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': body.length, 'cache-control': 'no-store', ...headers });
      res.end(body);
      if (log) log(logLine(req.method, path, q !== -1, status, performance.now() - started, reason));
    };
    const fail = (err: unknown) => {
      if (err instanceof Reject) return done(err.status, errorBody(err.message), err.headers, err.message);
      done(500, errorBody('internal error'), {}, `internal error: ${(err as Error)?.message ?? String(err)}`.slice(0, 200));
    };

    try {
      if (path === HEALTH_PATH) {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(req.method, 'GET, HEAD');
        return done(200, healthBody);
      }
      if (path !== SWML_PATH) throw new Reject(404, `not found; the SWML endpoint is ${SWML_PATH}`);
      if (req.method === 'GET') {
        checkSignature(req, url, Buffer.alloc(0));
        const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
        checkCall(query.get('to'), query.get('from'));
        return done(200, swmlBody);
      }
      if (req.method !== 'POST') throw methodNotAllowed(req.method, 'GET, POST');
      readBody(req, maxBody).then(
        (raw) => {
          try {
            checkSignature(req, url, raw);
            const call = callOf(raw);
            checkCall(call.to, call.from);
            done(200, swmlBody);
          } catch (err) {
            fail(err);
          }
        },
        (err: unknown) => {
          if (err instanceof Reject) {
            // Too large: answer, then drop the connection rather than read the rest of the body.
            done(err.status, errorBody(err.message), { connection: 'close' }, err.message);
            req.pause();
          } else {
            if (log) log(logLine(req.method, path, q !== -1, 0, performance.now() - started, 'aborted by client'));
            res.destroy();
          }
        },
      );
    } catch (err) {
      fail(err);
    }
  });

  function checkSignature(req: IncomingMessage, url: string, raw: Buffer): void {
    if (!opts.signingKey) return;
    const header = req.headers[SIGNATURE_HEADER];
    if (typeof header !== 'string' || !header)
      throw new Reject(403, 'missing X-SignalWire-Signature: with a signing key set, every request must be signed');
    const urls = signedUrlCandidates(req, url, opts.publicBaseUrl);
    if (!verifySignature(opts.signingKey, header, urls, raw)) throw new Reject(403, 'invalid X-SignalWire-Signature');
  }

  // SignalWire's answer window is short and the body tiny: do not let slow clients hold sockets.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  return server;
}

/** Reads the body up to `limit` bytes; rejects with a 413 Reject as soon as it is larger. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) return reject(tooLarge(limit));
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        chunks.length = 0;
        return reject(tooLarge(limit));
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('aborted')));
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
  if (to !== undefined && to !== null && !callNumber(to)) throw new Reject(400, 'call.to must be an E.164 number like +14244851544');
  if (from !== undefined && from !== null && !callNumber(from) && !WITHHELD.has(sipUser(String(from)).toLowerCase()))
    throw new Reject(400, 'call.from must be an E.164 number like +14244851544');
}

/** The E.164 number in `+14244851544` or `sip:+14244851544@host;params`, else undefined. */
export function callNumber(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  // In a query string an unescaped "+" arrives as a space.
  const user = sipUser(raw).replace(/^ (?=\d)/, '+');
  if (!/^\+[1-9]\d{1,14}$/.test(user)) return undefined;
  return toE164(user) === user ? user : undefined;
}

function sipUser(raw: string): string {
  const m = /^sips?:([^@;]*)(@.*)?$/i.exec(raw.trim());
  return m ? m[1]! : raw;
}

function errorBody(message: string): Buffer {
  return Buffer.from(`${JSON.stringify({ error: message })}\n`);
}

/** Method, path (no query values: they may carry numbers or secrets), status, ms, reason. */
function logLine(method: string | undefined, path: string, hadQuery: boolean, status: number, ms: number, reason: string): string {
  const safePath = path.replace(/[^\x21-\x7e]/g, '?').slice(0, 120) + (hadQuery ? '?…' : '');
  return `${new Date().toISOString()} ${method ?? '-'} ${safePath} ${status || '-'} ${ms.toFixed(1)}ms${reason ? ` ${reason}` : ''}`;
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

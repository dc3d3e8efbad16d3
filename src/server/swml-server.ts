// The HTTP endpoint SignalWire's "External URL" SWML handler calls. SignalWire POSTs
// `{ call: { to, from, … }, vars, params, envs }` (FACTS.md); GET with ?to=&from= exists for curl tests.
// Every call gets the same document: SignalWire itself substitutes %{call.to}, so the body is
// rendered once at start and only the request is checked.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { swmlJson, type SwmlDocument } from '../render/swml.js';
import { SWML_PATH } from '../swml-path.js';
import { seconds, SWML_ENDPOINT_TIMEOUT_MS, SWML_HEADERS_TIMEOUT_MS } from '../timing.js';
import { callerForLog, callOf, checkCalled, Reject } from './call.js';
import { SIGNATURE_HEADER, verifySignature } from './signature.js';
import { fromBaseUrl, fromForwarded } from './signed-url.js';

export const HEALTH_PATH = '/healthz';
export const MAX_BODY_BYTES = 64 * 1024;
/** Open connections beyond this are refused. SignalWire needs a handful; 256 leaves room for bursts. */
export const MAX_CONNECTIONS = 256;

export interface SwmlServerOptions {
  /** The document every call receives (the same as the `swml` command prints). */
  swml: SwmlDocument;
  /** SIGNALWIRE_SIGNING_KEY. When set, every request to the SWML path needs a valid X-SignalWire-Signature. */
  signingKey?: string | undefined;
  /**
   * API_BASE_URL as held in SignalWire's dashboard (any `user:pass@` is dropped: SignalWire does not sign it).
   * Without it the signed URL is rebuilt from the request's Forwarded / X-Forwarded-* / Host headers, which
   * is only safe behind a proxy that sets them (`serve` demands --trust-proxy for that).
   */
  publicBaseUrl?: string | undefined;
  /** Receives one line per request: time, method, path, status, ms, the caller, and a short reason on errors. */
  log?: ((line: string) => void) | undefined;
  maxBodyBytes?: number;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxConnections?: number;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function createSwmlServer(opts: SwmlServerOptions): Server {
  const swmlBody = Buffer.from(swmlJson(opts.swml));
  const swmlHeaders = jsonHeaders(swmlBody.length);
  const healthBody = Buffer.from('{"ok":true}\n');
  const healthHeaders = jsonHeaders(healthBody.length);
  const maxBody = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  const headersTimeout = opts.headersTimeoutMs ?? SWML_HEADERS_TIMEOUT_MS;
  const requestTimeout = opts.requestTimeoutMs ?? SWML_ENDPOINT_TIMEOUT_MS;
  const signedUrls = opts.publicBaseUrl
    ? (_req: IncomingMessage, url: string) => fromBaseUrl(opts.publicBaseUrl!, url)
    : fromForwarded;
  // POSTs whose body is still arriving, so a timeout can be logged against its request.
  const inFlight = new WeakMap<Socket, Exchange>();

  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      // Node checks both timeouts only this often (30 s by default), so a 5 s limit held a slow client
      // for up to 35 s. A fifth of the shorter limit keeps the cut within 20% of it.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(Math.min(headersTimeout, requestTimeout) / 5))),
    },
    (req, res) => {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const x: Exchange = { req, res, server, log: opts.log, started: performance.now(), path: q === -1 ? url : url.slice(0, q), hadQuery: q !== -1, caller: undefined, done: false };
      try {
        if (x.path === HEALTH_PATH) {
          if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(req.method, 'GET, HEAD');
          return send(x, 200, healthBody, healthHeaders);
        }
        if (x.path !== SWML_PATH) throw new Reject(404, `not found; the SWML endpoint is ${SWML_PATH}`);
        if (req.method === 'GET') {
          checkSignature(req, url, EMPTY);
          const query = new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
          if (query.has('from')) x.caller = callerForLog(query.get('from'));
          checkCalled(query.get('to'), false);
          return send(x, 200, swmlBody, swmlHeaders);
        }
        if (req.method !== 'POST') throw methodNotAllowed(req.method, 'GET, POST');
        inFlight.set(req.socket, x);
        readBody(req, maxBody, (err, raw) => {
          inFlight.delete(req.socket);
          if (x.done) return; // already answered and logged (timed out)
          if (err instanceof Reject) {
            // Too large: answer, then drop the connection rather than read the rest of the body.
            sendError(x, err, { connection: 'close' });
            return void req.pause();
          }
          if (err) {
            x.log?.(logLine(x, 0, 'client closed the connection before the body was complete'));
            return void res.destroy();
          }
          try {
            checkSignature(req, url, raw!);
            const call = callOf(raw!);
            x.caller = callerForLog(call.from);
            checkCalled(call.to, true);
            send(x, 200, swmlBody, swmlHeaders);
          } catch (e) {
            sendError(x, e);
          }
        });
      } catch (err) {
        sendError(x, err);
      }
    },
  );

  function checkSignature(req: IncomingMessage, url: string, raw: Buffer): void {
    if (!opts.signingKey) return;
    const header = req.headers[SIGNATURE_HEADER];
    if (typeof header !== 'string' || !header)
      throw new Reject(403, 'missing X-SignalWire-Signature: with a signing key set, every request must be signed');
    const urls = signedUrls(req, url);
    if (!verifySignature(opts.signingKey, header, urls.primary, raw, urls.alternates))
      throw new Reject(403, 'invalid X-SignalWire-Signature');
  }

  // What node:http would do on a client error, plus a log line that says what happened.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // The client went away: nothing to answer; a request in flight logs it when its body read ends.
    if (err.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
    const x = inFlight.get(socket);
    inFlight.delete(socket);
    const [status, text, reason] =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', x ? `request timed out: body not complete within ${seconds(requestTimeout)}` : `request timed out: headers not complete within ${seconds(headersTimeout)}`]
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large', 'request headers too large']
          : [400, 'Bad Request', 'malformed HTTP request'];
    if (!x || !x.res.headersSent) socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
    if (x) {
      x.done = true;
      x.log?.(logLine(x, status, reason));
    } else opts.log?.(`${isoNow()} - - ${status} - ${reason}`);
  });

  server.maxConnections = opts.maxConnections ?? MAX_CONNECTIONS;
  // Refused connections are counted and logged once a second, not once each: a flood must not flood the log.
  let dropped = 0;
  server.on('drop', () => {
    if (dropped++ === 0)
      setTimeout(() => {
        opts.log?.(`${isoNow()} - - - - refused ${dropped} connection${dropped === 1 ? '' : 's'}: ${server.maxConnections} already open (--max-connections)`);
        dropped = 0;
      }, 1_000).unref();
  });
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
  /** call.from as logged, once read. */
  caller: string | undefined;
  /** Answered and logged outside the request's own flow (a timeout). */
  done: boolean;
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

function errorBody(message: string): Buffer {
  return Buffer.from(`${JSON.stringify({ error: message })}\n`);
}

/** Time, method, path (no query values: they may carry secrets), status, ms, the caller ID, reason. */
function logLine(x: Exchange, status: number, reason: string): string {
  const known = x.path === SWML_PATH || x.path === HEALTH_PATH;
  const path = (known ? x.path : x.path.replace(/[^\x21-\x7e]/g, '?').slice(0, 120)) + (x.hadQuery ? '?…' : '');
  const ms = (performance.now() - x.started).toFixed(1);
  const caller = x.caller === undefined ? '' : ` from=${x.caller}`;
  return `${isoNow()} ${x.req.method ?? '-'} ${path} ${status || '-'} ${ms}ms${caller}${reason ? ` ${reason}` : ''}`;
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

// The HTTP server under every stand-in (LiveKit, PostgREST, SignalWire): 127.0.0.1 on a free port, one
// request log, one fault shape, and a stop that lets answers in flight finish before cutting the rest.
// A stand-in gives the kernel its handler and its own error body for an injected status; the kernel reads
// the body, logs the request, applies faults, and turns a thrown Answer into the reply.
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One request as the stand-in saw it. Stand-ins add their own fields (a Twirp method, a table, a role). */
export interface LoggedRequest {
  method: string;
  /** The path without the query. */
  path: string;
  /** Query parameters as decoded pairs, in order. */
  query: Array<[string, string]>;
  /** The JSON body parsed (a stand-in may replace it with its decoded form), the raw text if not JSON, undefined if empty. */
  body: unknown;
  /** The HTTP status answered; 0 while in flight, or when the connection was dropped. */
  status: number;
  /** When it arrived (ms since the epoch) and how long the answer took (ms). */
  at: number;
  ms: number;
}

/** A fault injected into matching requests, the same for every stand-in. */
export interface Fault {
  /**
   * Which requests: omitted or "*" for all. A string matches "METHOD /path" or "/path" by prefix, or the
   * path's last segment exactly (a Twirp method such as "ListSIPInboundTrunk"); a RegExp is tested
   * against "METHOD /path".
   */
  match?: string | RegExp;
  /** Answer this status (with the stand-in's own error body for it unless `body` is given). */
  status?: number;
  /** Stall this long first; without status, body or drop the request is then answered normally. */
  delayMs?: number;
  /** The body to answer: an object as JSON, a string as it is (e.g. a proxy's HTML page). Without status: 200. */
  body?: unknown;
  /** Close the connection without an answer. */
  drop?: boolean;
  /** How many requests it applies to; every one until cleared when omitted. */
  times?: number;
}

/** Thrown by a handler: the answer to send. */
export class Answer extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: OutgoingHttpHeaders = {},
  ) {
    super(`HTTP ${status}`);
  }
}

export interface Exchange<L extends LoggedRequest> {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The body as sent. */
  raw: string;
  entry: L;
  /** Aborted when the stand-in stops. */
  signal: AbortSignal;
  /** Answers: an object as JSON (the stand-in's JSON type), a string as text, undefined as no body. Logs the status. */
  send(status: number, body?: unknown, headers?: OutgoingHttpHeaders): void;
}

export interface LoopbackOptions<L extends LoggedRequest> {
  /** The Content-Type of JSON answers (LiveKit's SDK wants exactly "application/json"). */
  jsonType: string;
  /** The stand-in's fields of a log entry, read from the request before its body. */
  entry(req: IncomingMessage, url: URL): Omit<L, keyof LoggedRequest>;
  handle(x: Exchange<L>): Promise<void>;
  /** The stand-in's error answer for an injected status without a body. */
  faultAnswer(status: number): Answer;
  /** What an error that is not an Answer becomes (default 500 with its message). */
  failure?(err: unknown, entry: L): Answer;
}

export interface Loopback<L extends LoggedRequest> {
  /** http://127.0.0.1:<port> */
  url: string;
  requests: L[];
  signal: AbortSignal;
  fault(f: Fault): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

/** How long stop() waits for answers in flight before closing their connections. */
const GRACE_MS = 1_000;

export async function startLoopback<L extends LoggedRequest>(opts: LoopbackOptions<L>): Promise<Loopback<L>> {
  const requests: L[] = [];
  let faults: Fault[] = [];
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();

  const server = createServer((req, res) => {
    const p = exchange(req, res).finally(() => inFlight.delete(p));
    inFlight.add(p);
  });

  async function exchange(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const method = req.method ?? 'GET';
    const entry = { method, path: url.pathname, query: [...url.searchParams], body: undefined, status: 0, at: Date.now(), ms: 0, ...opts.entry(req, url) } as L;
    requests.push(entry);
    const send = (status: number, body?: unknown, headers: OutgoingHttpHeaders = {}) => {
      entry.status = status;
      entry.ms = Date.now() - entry.at;
      if (res.headersSent || res.destroyed) return;
      const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const type = body === undefined ? {} : { 'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : opts.jsonType };
      res.writeHead(status, { ...type, ...(text === undefined ? {} : { 'content-length': Buffer.byteLength(text) }), ...headers });
      res.end(text);
    };
    const x: Exchange<L> = { req, res, url, raw: '', entry, signal: stopping.signal, send };
    try {
      x.raw = await readBody(req);
      entry.body = parseBody(x.raw);
      const f = takeFault(method, url.pathname);
      if (f) {
        if (f.delayMs) await sleep(f.delayMs, undefined, { signal: stopping.signal });
        if (f.drop) return void req.socket.destroy();
        if (f.body !== undefined) return send(f.status ?? 200, f.body);
        if (f.status) throw opts.faultAnswer(f.status);
      }
      await opts.handle(x);
    } catch (err) {
      if (stopping.signal.aborted) return void req.socket.destroy();
      const a = err instanceof Answer ? err : (opts.failure?.(err, entry) ?? new Answer(500, String((err as Error)?.message ?? err)));
      send(a.status, a.body, a.headers);
    }
  }

  function takeFault(method: string, path: string): Fault | undefined {
    // The newest fault wins where two match.
    const f = [...faults].reverse().find((x) => matches(x.match, method, path));
    if (f?.times !== undefined && --f.times <= 0) faults = faults.filter((x) => x !== f);
    return f;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    signal: stopping.signal,
    fault: (f) => void faults.push({ ...f }),
    clearFaults: () => void (faults = []),
    async stop() {
      stopping.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => (timer = setTimeout(r, GRACE_MS)))]);
      clearTimeout(timer);
      server.closeAllConnections();
      await closed;
    },
  };
}

function matches(match: Fault['match'], method: string, path: string): boolean {
  if (match === undefined || match === '*') return true;
  const line = `${method} ${path}`;
  if (match instanceof RegExp) return match.test(line);
  return line.startsWith(match) || path.startsWith(match) || path.slice(path.lastIndexOf('/') + 1) === match;
}

function parseBody(raw: string): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// Hop: a self-hosted LiveKit SIP service answers SIP on its SIP port. The SWML dials
// `sip:…@<domain>;transport=tcp`, so the hop sends a SIP OPTIONS over TCP and reads the status line: a port that
// is closed, silent, or answers in another protocol (LiveKit's HTTP API port answers `HTTP/1.1 400`) fails every
// call, although a bare TCP connection to it would succeed. livekit-sip v1.8.0 answers OPTIONS `SIP/2.0 200 OK`.
// LiveKit Cloud runs the same service, whose onOptions (livekit/sip pkg/sip/inbound.go, registered in server.go)
// answers 200 OK to any OPTIONS, with no login, so the probe would pass there too. It runs only for other hosts
// all the same: the check runs on the person's machine, whose network often blocks outbound 5060, so a failure
// would say nothing of the carrier's path. For Cloud the proof is the DNS hop and the test call (`check --call`).
import { randomBytes } from 'node:crypto';
import type { Hop } from './types.js';
import { seconds } from '../timing.js';

const ANSWER_TIMEOUT_MS = 5_000;
/** The SIP port when LIVEKIT_SIP_DOMAIN names none (RFC 3261's default for sip: over TCP). */
export const DEFAULT_SIP_PORT = 5060;

export const SIP_OPTIONS_HOP = { id: 'sip-options', title: 'SIP service answers on the SIP port' } as const;

/** What came back on the connection: the first line, or why there is none. */
export type SipAnswer = { line: string; ms: number } | { error: 'refused' | 'closed' | 'timeout'; code?: string; ms: number };
export type SipAsk = (host: string, port: number, request: string, timeoutMs: number) => Promise<SipAnswer>;

/** The hop applies to a SIP domain LiveKit Cloud does not run. */
export { isSelfHostedSip } from '../sip-uri.js';

/** A minimal RFC 3261 OPTIONS: the headers every SIP server needs to answer it, and no body. */
export function optionsRequest(host: string, port: number, local = '127.0.0.1'): string {
  const tag = randomBytes(4).toString('hex');
  const target = `sip:${host}:${port};transport=tcp`;
  return [
    `OPTIONS ${target} SIP/2.0`,
    `Via: SIP/2.0/TCP ${local};branch=z9hG4bK${randomBytes(6).toString('hex')}`,
    'Max-Forwards: 70',
    `From: <sip:check@${local}>;tag=${tag}`,
    `To: <${target}>`,
    `Call-ID: ${randomBytes(8).toString('hex')}@create-sip-inbound`,
    'CSeq: 1 OPTIONS',
    'Accept: application/sdp',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

const systemAsk: SipAsk = async (host, port, request, timeoutMs) => {
  const { createConnection } = await import('node:net');
  const started = performance.now();
  return new Promise<SipAnswer>((resolve) => {
    const socket = createConnection({ host, port });
    let got = '';
    let connected = false;
    const done = (a: SipAnswer) => {
      socket.destroy();
      resolve(a);
    };
    const ms = () => Math.max(1, Math.round(performance.now() - started));
    socket.setTimeout(timeoutMs, () => done({ error: connected ? 'timeout' : 'refused', code: connected ? undefined : 'ETIMEDOUT', ms: ms() }));
    socket.once('connect', () => {
      connected = true;
      socket.write(request);
    });
    socket.on('data', (chunk: Buffer) => {
      got += chunk.toString('latin1');
      const end = got.indexOf('\n');
      if (end >= 0 || got.length > 200) done({ line: got.slice(0, end >= 0 ? end : 200).replace(/\r$/, ''), ms: ms() });
    });
    socket.once('end', () => done(got ? { line: got.slice(0, 200), ms: ms() } : { error: 'closed', ms: ms() }));
    socket.once('error', (err: NodeJS.ErrnoException) => done(connected ? { error: 'closed', code: err.code, ms: ms() } : { error: 'refused', code: err.code, ms: ms() }));
  });
};

export async function sipOptionsHop(sipDomain: string, ask: SipAsk = systemAsk, timeoutMs = ANSWER_TIMEOUT_MS): Promise<Hop> {
  const m = /^(.*?)(?::(\d+))?$/.exec(sipDomain)!;
  const host = m[1]!;
  const port = m[2] ? Number(m[2]) : DEFAULT_SIP_PORT;
  const where = `${host}:${port}`;
  const title = `SIP service answers at ${where} (OPTIONS over TCP)`;
  const fail = (detail: string, fix: string): Hop => ({ ...SIP_OPTIONS_HOP, title, ok: false, detail, fix });
  const sipPortFix = `LiveKit SIP listens on ${DEFAULT_SIP_PORT} unless its sip_port says otherwise: set LIVEKIT_SIP_DOMAIN to the SIP host and that port (host:port), not LiveKit's API address`;
  const a = await ask(host, port, optionsRequest(host, port), timeoutMs);
  if ('line' in a) {
    const line = printable(a.line);
    if (/^SIP\/2\.0 \d{3}/.test(a.line))
      return { ...SIP_OPTIONS_HOP, title, ok: true, detail: `${where} answered ${line} in ${a.ms < 1000 ? `${a.ms} ms` : seconds(a.ms)}, over TCP as the SWML dials it` };
    const what = /^HTTP\/\d/.test(a.line) ? `an HTTP server (${line})` : `something that is not SIP ("${line}")`;
    return fail(`${where} answered as ${what}: it is not a SIP service, so every call to it fails`, sipPortFix);
  }
  if (a.error === 'refused')
    return fail(
      `${where} refused or dropped the TCP connection (${a.code ?? 'no answer'}); the SWML dials it over TCP, so every call fails`,
      `open TCP port ${port} to the internet on the LiveKit SIP host (firewall, security group), or put the SIP port in LIVEKIT_SIP_DOMAIN (host:port)`,
    );
  if (a.error === 'closed') return fail(`${where} took the connection but closed it without a SIP answer`, sipPortFix);
  return fail(`${where} took the connection but sent no SIP answer within ${seconds(timeoutMs)}`, sipPortFix);
}

/** A status line as it may be shown: printable ASCII only, short. */
const printable = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 80);

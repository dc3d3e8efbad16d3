// The real SIP client: SIPp (Debian's sip-tester) runs one call per dial from a generated scenario
// (sipp-scenario.ts). It answers LiveKit's 407 digest challenge, streams a tone over RTP, and hangs up with
// a BYE after holdMs or on hangup(). The login goes into the scenario file (mode 0600, removed after the
// call), never into argv. The SIP answer is read from SIPp's message trace.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createConnection } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SipAnswer, SipDial, SipDialer } from '../stand-ins/sip-dialer.ts';
import { which } from './paths.ts';
import { freeTcpUdpPort, freeUdpRange, startService } from './processes.ts';
import { scenario } from './sipp-scenario.ts';

const LOCAL = '127.0.0.1';

/** The caller's own address: d.source when given (a loopback one: these calls never leave the machine; Linux
 * answers for all of 127.0.0.0/8), else 127.0.0.1. A trunk that admits callers by address sees this one. */
export function sourceOf(d: Pick<SipDial, 'source'>): string {
  const source = d.source ?? LOCAL;
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(source)) throw new Error(`the SIP test client sends only from loopback (127.x.x.x), not from ${source}`);
  return source;
}

/** sip:+1424…@127.0.0.1:5060;transport=tcp → its parts (no transport parameter: UDP, as in SIP). */
export function parseSipUri(uri: string): { user: string; host: string; port: number; transport: 'tcp' | 'udp' } {
  const m = /^sips?:([^@;]+)@([^:;>]+)(?::(\d+))?((?:;[^;]*)*)$/i.exec(uri.trim());
  if (!m) throw new Error(`"${uri}" is not a SIP URI of the form sip:<number>@<host>[:port][;transport=tcp]`);
  const t = /;transport=(\w+)/i.exec(m[4] ?? '')?.[1]?.toLowerCase() ?? 'udp';
  if (t !== 'tcp' && t !== 'udp') throw new Error(`"${uri}": the SIP test client speaks tcp or udp, not ${t}`);
  return { user: decodeURIComponent(m[1]!), host: m[2]!, port: Number(m[3] ?? 5060), transport: t };
}

/** The user part as a SIP client puts it on the wire: characters SIP does not allow there are %-escaped
 * (RFC 3261 `escaped`), e.g. a SWML's literal {{call.to}} goes out as %7B%7Bcall.to%7D%7D. */
export function escapeSipUser(user: string): string {
  return user.replace(/[^A-Za-z0-9+._~!$&'()*,;=-]/g, (c) => [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''));
}

/** One second of a 440 Hz tone, 8 kHz mu-law (G.711 PCMU): what rtp_stream plays on a loop. */
function tone(): Buffer {
  const out = Buffer.alloc(8000);
  for (let i = 0; i < out.length; i++) out[i] = muLaw(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000)));
  return out;
}

/** A linear sample → G.711 µ-law byte. */
export function muLaw(sample: number): number {
  const BIAS = 0x84;
  const sign = sample < 0 ? 0x80 : 0;
  let s = Math.min(Math.abs(sample), 32635) + BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

interface Response {
  code: number;
  reason: string;
  method: string;
}

/** The responses SIPp received, in order, from its message trace. */
function responses(trace: string): Response[] {
  const out: Response[] = [];
  for (const msg of trace.split(/-{20,}[^\n]*\n/)) {
    const m = /^\s*(?:[^\n]*\n)*?SIP\/2\.0 (\d{3}) ([^\r\n]*)[\s\S]*?^CSeq:\s*\d+\s+(\w+)/m.exec(msg);
    if (m && /received/i.test(msg.slice(0, 200))) out.push({ code: Number(m[1]), reason: m[2]!.trim(), method: m[3]! });
  }
  return out;
}

/** How long an INVITE may ring before the caller gives up: a self-hosted LiveKit SIP drops a call that matches no
 * trunk or rule without any final answer, and a caller (SignalWire's connect too) then times out. */
export const RING_MS = 30_000;

export const realSipDialer: SipDialer = sipDialer();

/** The real dialer; ringMs: how long to wait for a final answer before giving up with 408 Request Timeout. */
export function sipDialer(o: { ringMs?: number } = {}): SipDialer {
  return (d) => dial(d, { ringMs: o.ringMs ?? RING_MS });
}

export interface DialOptions {
  ringMs: number;
  /** A loopback UDP port of the caller's own that receives the call's audio (SIPp then sends none). */
  rtpPort?: number;
}

/** An answered call also says when the answer (200 OK) reached the caller, as Date.now(). `heard`: the responses
 * to the INVITE, in order (e.g. [100] for one taken and then dropped), filled in once the call has ended. */
export type TimedAnswer = SipAnswer & { answeredAt?: number; heard: number[] };

export async function dial(d: SipDial, o: DialOptions): Promise<TimedAnswer> {
  const ringMs = o.ringMs;
  const parsed = parseSipUri(d.uri);
  const target = { ...parsed, user: escapeSipUser(parsed.user) };
  const from = d.from.replace(/^sips?:/i, '').replace(/@.*$/, '');
  const login = d.username && d.password ? { username: d.username, password: d.password } : undefined;
  const local = sourceOf(d);
  const dir = mkdtempSync(join(tmpdir(), 'csi-sipp-'));
  const audioFile = join(dir, 'tone.ulaw');
  writeFileSync(audioFile, tone());
  const scenarioFile = join(dir, 'call.xml');
  const answeredFlag = join(dir, 'answered');
  writeFileSync(scenarioFile, scenario({ ...target, from, login, holdMs: d.holdMs, audioFile, answeredFlag, rtpPort: o.rtpPort }), { mode: 0o600 });
  const trace = join(dir, 'messages.log');
  const callId = `csi-${randomBytes(8).toString('hex')}`;
  const localPort = await freeTcpUdpPort();
  const media = await freeUdpRange(8);

  const args = [
    `${target.host}:${target.port}`,
    '-sf', scenarioFile,
    '-s', target.user,
    '-i', local,
    '-mi', local,
    '-p', String(localPort),
    '-mp', String(media.start),
    '-t', target.transport === 'tcp' ? 't1' : 'u1',
    '-m', '1',
    '-cid_str', `${callId}-%u@%s`,
    '-nostdin',
    '-trace_msg', '-message_file', trace,
    '-trace_err', '-error_file', join(dir, 'errors.log'),
    // A call that hangs cannot outlive its hold time by much.
    '-timeout', `${Math.ceil(d.holdMs / 1000) + 60}s`,
  ];
  const sipp = startService('sipp', which('sipp'), args, { log: join(dir, 'sipp.log'), cwd: dir, keepAlive: true });
  const read = () => {
    try {
      return readFileSync(trace, 'utf8');
    } catch {
      return '';
    }
  };
  const toInvite = () => responses(read()).filter((r) => r.method === 'INVITE');
  const finals = () => toInvite().filter((r) => r.code >= 200);
  let exited = false;
  const exit = sipp.exited.then(() => {
    exited = true;
  });

  // Answered: the scenario touches a file at once (SIPp's message trace is written late). Refused: SIPp
  // ends, and its trace, complete by then, holds the final response to our INVITE.
  const giveUpAt = Date.now() + ringMs;
  while (!exited && !existsSync(answeredFlag)) {
    if (Date.now() > giveUpAt && !finals().length) {
      // Nothing final came back (a dropped INVITE): give up as a caller does. SIPp's trace is complete once it exits.
      await sipp.stop();
      await exit;
      const heard = toInvite().map((r) => r.code);
      rmSync(dir, { recursive: true, force: true });
      return { code: 408, reason: 'Request Timeout', heard, ended: Promise.resolve(), hangup: async () => {} };
    }
    await sleep(25);
  }
  // The flag's own time: when SIPp, having read the 200 OK, ran the command that made it.
  const answeredAt = existsSync(answeredFlag) ? statSync(answeredFlag).mtimeMs : undefined;
  const final: Response | undefined = answeredAt !== undefined ? (finals().find((r) => r.code < 300) ?? { code: 200, reason: 'OK', method: 'INVITE' }) : finals().at(-1);

  const heard: number[] = [];
  const ended = exit.then(() => {
    heard.push(...toInvite().map((r) => r.code));
    rmSync(dir, { recursive: true, force: true });
  });
  if (!final) {
    const why = sipp.tail(5) || readFileSync(join(dir, 'errors.log'), 'utf8').slice(-400);
    await ended;
    throw new Error(`the SIP call to ${d.uri} got no answer (SIPp: ${why.trim() || 'no output'})`);
  }
  // Once: a second INFO reaching SIPp while it waits for the 200 to its BYE aborts the call there, and LiveKit
  // then keeps the caller until its media times out (~15 s).
  let hungUp: Promise<void> | undefined;
  const hangup = async () => {
    if (!exited && final.code < 300) await sendInfo(local, localPort, target.transport, callId, from, target.user).catch(() => {});
    const done = await Promise.race([ended.then(() => true), sleep(5000).then(() => false)]);
    if (!done) await sipp.stop();
    await ended;
  };
  return { code: final.code, reason: final.reason, answeredAt, heard, ended, hangup: () => (hungUp ??= hangup()) };
}

/** An INFO on SIPp's own port with the call's Call-ID: the scenario answers it by hanging up (BYE). */
async function sendInfo(host: string, port: number, transport: 'tcp' | 'udp', callId: string, from: string, to: string): Promise<void> {
  const msg = [
    `INFO sip:${from}@${host}:${port} SIP/2.0`,
    `Via: SIP/2.0/${transport.toUpperCase()} ${LOCAL}:9;branch=z9hG4bK${randomBytes(6).toString('hex')}`,
    `From: <sip:${to}@${LOCAL}>;tag=${randomBytes(4).toString('hex')}`,
    `To: <sip:${from}@${host}>`,
    `Call-ID: ${callId}-1@${host}`,
    'CSeq: 1 INFO',
    'Max-Forwards: 70',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  if (transport === 'udp') {
    const s = createSocket('udp4');
    await new Promise<void>((resolve, reject) => s.send(msg, port, host, (err) => (err ? reject(err) : resolve())));
    s.close();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const sock = createConnection({ port, host }, () => sock.end(msg, () => resolve()));
    sock.on('error', reject);
  });
  void connect;
}

// The only code that talks to LiveKit (with livekit-changes.ts, which writes through `call` here): one client
// factory, the key check, observing the inbound trunks and dispatch rules, and the judgements over them (which
// trunk serves a number, which rule dispatches its calls: trunkFor, ruleFor, shared by the plan and the check).
// livekit-server-sdk (and @livekit/protocol) load on first use so that --help and the first prompt appear at once.
import { randomBytes } from 'node:crypto';
import type { SIPDispatchRuleInfo, SIPInboundTrunkInfo } from '@livekit/protocol';
import type { AgentDispatchClient, RoomServiceClient, SipClient } from 'livekit-server-sdk';
import { ServiceError, UsageError } from '../errors.js';
import { redactLine } from '../redact.js';
import type { SettingKey, Values } from '../settings.js';
import { settingName } from '../setting-names.js';
import { LIVEKIT_TIMEOUT_MS, seconds } from '../timing.js';
import { sameNumber } from './sip-number.js';

/** An individual rule names rooms `<prefix>_<caller>_<random>`; the check finds calls by this prefix. */
export const ROOM_PREFIX = 'sip-';
export interface LiveKitConn {
  url: string;
  apiKey: string;
  apiSecret: string;
  /** Per request; default LIVEKIT_TIMEOUT_MS (timing.ts). */
  timeoutMs?: number;
}

/** The connection from resolved settings; undefined unless URL, key and secret are all given. */
export function liveKitConn(values: Values): LiveKitConn | undefined {
  const { LIVEKIT_URL: url, LIVEKIT_API_KEY: apiKey, LIVEKIT_API_SECRET: apiSecret } = values;
  return url && apiKey && apiSecret ? { url, apiKey, apiSecret } : undefined;
}

/** Which number, and the names of the trunk and rule this tool owns. */
export interface LiveKitTarget {
  /** E.164, e.g. +14244851544: the called number SignalWire puts in the SIP URI (SWML `%{call.to}`). */
  number: string;
  trunkName: string;
  ruleName: string;
}

export interface LiveKitDesired extends LiveKitTarget {
  /** '' or undefined: automatic dispatch (the rule names no agent). */
  agentName?: string;
  /** null: no digest auth on the trunk (--no-sip-auth, or a carrier that sends no login). */
  auth: { username: string; password: string } | null;
  /** The carrier's signalling addresses (CIDR) the trunk admits; undefined leaves the trunk's list as it is. */
  allowedAddresses?: readonly string[];
}

export interface LiveKitState {
  /** Our trunk: named trunkName, the one holding the number first. */
  trunk?: SIPInboundTrunkInfo;
  /** The trunk that holds the number (in any form LiveKit matches) when it is not ours. */
  foreignTrunk?: SIPInboundTrunkInfo;
  /** Every number on our trunk. */
  numbers: string[];
  /** Every inbound trunk, as listed. */
  trunks: SIPInboundTrunkInfo[];
  /** Every dispatch rule, as listed. */
  rules: SIPDispatchRuleInfo[];
  /** When they were listed (LiveKitLists.readAt). */
  readAt?: number;
}

// ── Connection and errors ────────────────────────────────────────────────────────────────────────────

export interface LiveKitClients {
  sip: SipClient;
  rooms: RoomServiceClient;
  agents: AgentDispatchClient;
}

/** The one place LiveKit clients are made (the setup, the check, the probe and the live watch use them). */
export async function liveKitClients(conn: LiveKitConn): Promise<LiveKitClients> {
  const sdk = await import('livekit-server-sdk');
  // No region failover: it prints warnings and turns one 10 s timeout into three; one clear line is better.
  const opts = { requestTimeout: timeoutOf(conn) / 1000, failover: false };
  return {
    sip: new sdk.SipClient(conn.url, conn.apiKey, conn.apiSecret, opts),
    rooms: new sdk.RoomServiceClient(conn.url, conn.apiKey, conn.apiSecret, opts),
    agents: new sdk.AgentDispatchClient(conn.url, conn.apiKey, conn.apiSecret, opts),
  };
}

async function sipClient(conn: LiveKitConn): Promise<SipClient> {
  return (await liveKitClients(conn)).sip;
}

const timeoutOf = (conn: LiveKitConn) => conn.timeoutMs ?? LIVEKIT_TIMEOUT_MS;

/** Runs one SDK call; any failure becomes the one-line error for it (livekit-changes.ts writes through it too). */
export async function call<T>(conn: LiveKitConn, what: string, run: (sip: SipClient) => Promise<T>, secrets: string[] = []): Promise<T> {
  const sip = await sipClient(conn);
  try {
    return await run(sip);
  } catch (err) {
    throw liveKitError(err, conn, what, secrets);
  }
}

const REACH: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

/**
 * Maps whatever the SDK threw to one line naming the cause and the fix. The SDK surfaces a Twirp error
 * as ServerError (status, code, message), a timeout as the AbortSignal's TimeoutError, an unreachable
 * host as fetch's TypeError with cause.code, and a body that is not JSON as a SyntaxError.
 * A bad key is bad input (UsageError, exit 2); everything else is a service failure (exit 1).
 */
export function liveKitError(err: unknown, conn: LiveKitConn, what: string, secrets: string[] = []): UsageError | ServiceError {
  if (err instanceof UsageError || err instanceof ServiceError) return err;
  const url = conn.url;
  const e = (err ?? {}) as { name?: string; message?: string; status?: unknown; code?: unknown; cause?: { code?: unknown } };
  const hidden = [conn.apiSecret, ...secrets];
  const fail = (msg: string, settings: SettingKey[] = []) => new ServiceError('LiveKit', redactLine(msg, hidden), { cause: err, settings });
  const [ADDRESS, KEY, SECRET] = ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'] as const;
  const checkUrl = `check ${settingName(ADDRESS)}`;

  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return fail(`LiveKit did not answer within ${seconds(timeoutOf(conn))} while ${what} at ${url}: ${checkUrl} and the network, then try again`, [ADDRESS]);
  if (typeof e.status === 'number') {
    const code = typeof e.code === 'string' ? e.code : undefined;
    const said = [code, e.message && e.message !== code ? e.message : ''].filter(Boolean).join(': ');
    const status = `${e.status}${said ? ` ${said}` : ''}`;
    const key = redactLine(conn.apiKey, hidden);
    if (permissionDenied(err))
      return new UsageError(
        `LiveKit API key ${key} lacks the ${/trunk|rule/.test(what) ? 'SIP' : 'room'} admin permission (${e.status} permissions denied) at ${url}: ` +
          'give the key admin permissions in LiveKit Cloud → Settings → API keys, or use a key that has them',
        { settings: [KEY, SECRET] },
      );
    // livekit-server answers 401 text/plain (no code): "invalid API key: <key>" for a key it does not know,
    // "invalid token: <the JWT>, …" for a wrong secret; the latter echoes the token, so it is never shown.
    if (e.status === 401 && /^invalid API key/.test(e.message ?? ''))
      return new UsageError(`LiveKit at ${url} does not know the API key ${key}: check ${settingName(KEY)}`, { settings: [KEY] });
    if (e.status === 401 && /^invalid token/.test(e.message ?? ''))
      return new UsageError(`LiveKit at ${url} rejected the API secret of key ${key}: check ${settingName(SECRET)}`, { settings: [SECRET] });
    if (e.status === 401)
      return new UsageError(`LiveKit rejected the API key for ${url}: check ${settingName(KEY)} / ${settingName(SECRET)}`, { settings: [KEY, SECRET] });
    if (e.status >= 500) return fail(`LiveKit failed (${status}) while ${what} at ${url}: a problem on LiveKit's side; try again in a minute`);
    if (!code) return fail(`${url} does not answer like LiveKit (${e.status}) while ${what}: ${checkUrl} (e.g. wss://my-app-abc123.livekit.cloud)`, [ADDRESS]);
    return fail(`LiveKit refused ${what} (${status})`);
  }
  if (e.name === 'SyntaxError')
    return fail(`${url} answered ${what} with something that is not JSON: ${checkUrl} points at your LiveKit project`, [ADDRESS]);
  const code = typeof e.cause?.code === 'string' ? e.cause.code : typeof e.code === 'string' ? e.code : undefined;
  if (code || e.message === 'fetch failed') {
    const why = code ? `${REACH[code] ?? 'failed'} (${code})` : 'failed';
    return fail(`Cannot reach LiveKit at ${url}: ${why}; ${checkUrl} and the network`, [ADDRESS]);
  }
  return fail(`LiveKit: ${what} failed: ${e.message ?? String(err)}`);
}

/** A valid key whose token lacks the grant: livekit-server answers 401 unauthenticated "permissions denied" (a 403 elsewhere). */
export function permissionDenied(err: unknown): boolean {
  const e = (err ?? {}) as { status?: unknown; code?: unknown; message?: unknown };
  return e.status === 403 || (e.status === 401 && e.code === 'unauthenticated' && e.message === 'permissions denied');
}

// ── Reading ──────────────────────────────────────────────────────────────────────────────────────────

/** Proves the URL, key and secret (and the SIP admin grant) with one list call. */
export async function checkLiveKit(conn: LiveKitConn): Promise<void> {
  await call(conn, 'listing inbound trunks', (sip) => sip.listSipInboundTrunk());
}

/** The numbers on our trunk(s), for a rerun's "update or add a number?". */
export async function listTrunkNumbers(conn: LiveKitConn, trunkName: string): Promise<string[]> {
  return trunkNumbers(await call(conn, 'listing inbound trunks', (sip) => sip.listSipInboundTrunk()), trunkName);
}

/** Every number on the trunks named trunkName. */
export function trunkNumbers(trunks: readonly SIPInboundTrunkInfo[], trunkName: string): string[] {
  return [...new Set(trunks.filter((t) => t.name === trunkName).flatMap((t) => t.numbers))];
}

/** Every inbound trunk and dispatch rule, as listed. */
export interface LiveKitLists {
  trunks: SIPInboundTrunkInfo[];
  rules: SIPDispatchRuleInfo[];
  /** When the answers came (Date.now()): a create looks again only at an older listing. */
  readAt?: number;
}

/**
 * Lists every trunk and rule: two requests, in parallel. This is also the key check (a wrong key or a key
 * without the SIP admin grant fails here), so no separate request proves the credentials.
 */
export async function readLiveKit(conn: LiveKitConn): Promise<LiveKitLists> {
  // Unfiltered: a `numbers` filter also returns wildcard trunks, and ours is found by name as well.
  const [trunks, rules] = await Promise.allSettled([
    call(conn, 'listing inbound trunks', (sip) => sip.listSipInboundTrunk()),
    call(conn, 'listing dispatch rules', (sip) => sip.listSipDispatchRule()),
  ]);
  // Both fail alike on a bad key: name the trunk list's failure, whichever answered first.
  if (trunks.status === 'rejected') throw trunks.reason;
  if (rules.status === 'rejected') throw rules.reason;
  return { trunks: trunks.value, rules: rules.value, readAt: Date.now() };
}

/** Which trunk is ours and which serves the number, judged over what readLiveKit listed. */
export function judgeLiveKit(lists: LiveKitLists, target: LiveKitTarget): LiveKitState {
  const j = trunkFor(lists.trunks, target.number, target.trunkName);
  return {
    trunk: j.ours,
    foreignTrunk: j.foreign,
    numbers: j.ours ? [...j.ours.numbers] : [],
    trunks: lists.trunks,
    rules: lists.rules,
    ...(lists.readAt !== undefined ? { readAt: lists.readAt } : {}),
  };
}

/** Lists every trunk and rule (two requests, in parallel) and judges which trunk is ours and which serves the number. */
export async function observeLiveKit(conn: LiveKitConn, target: LiveKitTarget): Promise<LiveKitState> {
  return judgeLiveKit(await readLiveKit(conn), target);
}

// ── Judging: which trunk serves the number, which rule dispatches its calls ──────────────────────────

export interface TrunkJudgement {
  /** The trunk named trunkName: the one holding the number first, else the first of that name. */
  ours?: SIPInboundTrunkInfo;
  /** The trunk a call to the number reaches: it holds the number in a form LiveKit matches (ours first). */
  serving?: SIPInboundTrunkInfo;
  /** `serving` when it is not ours (made by hand, or by another tool). */
  foreign?: SIPInboundTrunkInfo;
  /** How `serving` writes the number, e.g. "14244851544". */
  heldAs?: string;
  /** Every trunk holding the number. More than one conflict: LiveKit answers "Multiple SIP Trunks matched". */
  holding: SIPInboundTrunkInfo[];
  /** A trunk with no numbers: it takes calls to any number no other trunk holds. */
  catchAll?: SIPInboundTrunkInfo;
}

/**
 * LiveKit's trunk match for a call to `number` (livekit/protocol sip/sip.go MatchTrunkDetailed): a trunk
 * serves it when one of its numbers equals the called number as written or once normalised
 * (NormalizeNumber). Our trunk is found by name. The caller is unknown here, so `allowedNumbers` is not
 * applied.
 */
export function trunkFor(trunks: readonly SIPInboundTrunkInfo[], number: string, trunkName: string): TrunkJudgement {
  const holding = trunks.filter((t) => t.numbers.some((n) => sameNumber(n, number)));
  const named = trunks.filter((t) => t.name === trunkName);
  const ours = named.find((t) => holding.includes(t)) ?? named[0];
  const serving = ours && holding.includes(ours) ? ours : holding[0];
  return {
    ours,
    serving,
    foreign: serving && serving !== ours ? serving : undefined,
    heldAs: serving?.numbers.find((n) => sameNumber(n, number)),
    holding,
    catchAll: trunks.find((t) => t.numbers.length === 0),
  };
}

export interface RuleJudgement {
  /** The rule LiveKit dispatches a call to the number through the trunk with (any caller, no PIN sent). */
  covering?: SIPDispatchRuleInfo;
  /**
   * The rule the plan makes cover the number: the covering one when it names the trunk, else the one named
   * ruleName. Undefined: the plan creates one.
   */
  target?: SIPDispatchRuleInfo;
  /** Rules naming the trunk (or named ruleName) whose own `numbers` filter leaves the number out. */
  excluding: SIPDispatchRuleInfo[];
}

/**
 * LiveKit's dispatch rule match (livekit/protocol sip/sip.go MatchDispatchRuleIter) for a call to `number`
 * on `trunk`: a rule counts when its `numbers` filter is empty or holds the called number (compared as
 * written, unlike trunks) and its `inboundNumbers` filter is empty (it must take every caller). A rule
 * naming the trunk wins over one naming no trunk; among those, the lowest DispatchRulePriority wins.
 */
export function ruleFor(
  rules: readonly SIPDispatchRuleInfo[],
  trunk: { sipTrunkId: string } | undefined,
  number: string,
  ruleName: string,
): RuleJudgement {
  const takesNumber = (r: SIPDispatchRuleInfo) => r.numbers.length === 0 || r.numbers.includes(number);
  const eligible = rules.filter((r) => r.rule?.rule.case && r.inboundNumbers.length === 0 && takesNumber(r));
  const namesTrunk = (r: SIPDispatchRuleInfo) => Boolean(trunk && r.trunkIds.includes(trunk.sipTrunkId));
  const best = (list: SIPDispatchRuleInfo[]) => [...list].sort(byPriority)[0];
  const specific = best(eligible.filter(namesTrunk));
  const covering = specific ?? best(eligible.filter((r) => r.trunkIds.length === 0));
  const named = rules.filter((r) => r.name === ruleName);
  const target = specific ?? named.find(namesTrunk) ?? named[0];
  const excluding = rules.filter((r) => (namesTrunk(r) || r.name === ruleName) && !takesNumber(r));
  return { covering, target, excluding };
}

/** LiveKit's DispatchRulePriority (lower first): PIN rules before open ones, direct, individual, callee; a filter on numbers first. */
function priority(r: SIPDispatchRuleInfo): number {
  const rule = r.rule?.rule;
  if (!rule?.case) return Number.MAX_SAFE_INTEGER;
  const kind = { dispatchRuleDirect: 0, dispatchRuleIndividual: 1, dispatchRuleCallee: 2 }[rule.case as string] ?? 1_000_000;
  let p = (rule.value.pin ? 0 : 100) + kind;
  if (!r.inboundNumbers.length) p += 1000;
  if (!r.numbers.length) p += 1000;
  return p;
}

const roomOf = (r: SIPDispatchRuleInfo) => {
  const v = r.rule?.rule.value;
  return !v ? '' : 'roomName' in v ? v.roomName : v.roomPrefix;
};
const byPriority = (a: SIPDispatchRuleInfo, b: SIPDispatchRuleInfo) => priority(a) - priority(b) || (roomOf(a) < roomOf(b) ? -1 : roomOf(a) > roomOf(b) ? 1 : 0);

/** Names the trunks holding one number, for a conflict: `"a" (ST_1) as "14244851544"`. */
export function describeHolding(trunks: readonly SIPInboundTrunkInfo[], number: string): string {
  return trunks.map((t) => `"${t.name || t.sipTrunkId}" (${t.sipTrunkId}) as "${t.numbers.find((n) => sameNumber(n, number))}"`).join(', ');
}

// ── Trunk security ───────────────────────────────────────────────────────────────────────────────────

/** Digest credentials for the trunk: a recognisable username and a 32-character URL-safe password. */
export function generateSipAuth(): { username: string; password: string } {
  return { username: `sip-${randomBytes(4).toString('hex')}`, password: randomBytes(24).toString('base64url') };
}

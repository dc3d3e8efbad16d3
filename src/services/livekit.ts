// The only code that talks to LiveKit: one client factory, the key check, observing the inbound trunks and
// dispatch rules, the judgements over them (which trunk serves a number, which rule dispatches its calls:
// trunkFor, ruleFor, shared by the plan and the check), the changes that make them carry a number, and
// taking a number off again. livekit-server-sdk (and @livekit/protocol) load on first use so that --help
// and the first prompt appear at once.
import { randomBytes } from 'node:crypto';
import type { SIPDispatchRuleInfo, SIPInboundTrunkInfo } from '@livekit/protocol';
import type { AgentDispatchClient, RoomServiceClient, SipClient } from 'livekit-server-sdk';
import { ServiceError, UsageError } from '../errors.js';
import type { Change } from '../changes.js';
import { redactLine } from '../redact.js';
import type { Values } from '../settings.js';
import { LIVEKIT_TIMEOUT_MS, seconds } from '../timing.js';
import { ruleNumbersTaking, sameNumber } from './sip-number.js';

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

/** Runs one SDK call; any failure becomes the one-line error for it. */
async function call<T>(conn: LiveKitConn, what: string, run: (sip: SipClient) => Promise<T>, secrets: string[] = []): Promise<T> {
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
  const fail = (msg: string) => new ServiceError('LiveKit', redactLine(msg, hidden), { cause: err });

  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return fail(`LiveKit did not answer within ${seconds(timeoutOf(conn))} while ${what} at ${url}: check LIVEKIT_URL and the network, then try again`);
  if (typeof e.status === 'number') {
    const code = typeof e.code === 'string' ? e.code : undefined;
    const said = [code, e.message && e.message !== code ? e.message : ''].filter(Boolean).join(': ');
    const status = `${e.status}${said ? ` ${said}` : ''}`;
    if (permissionDenied(err))
      return new UsageError(
        `LiveKit API key ${redactLine(conn.apiKey, hidden)} lacks the ${/trunk|rule/.test(what) ? 'SIP' : 'room'} admin permission (${e.status} permissions denied) at ${url}: ` +
          'give the key admin permissions in LiveKit Cloud → Settings → API keys, or use a key that has them',
      );
    // A wrong secret or unknown key: livekit-server answers 401 text/plain (no code), and the text echoes the token.
    if (e.status === 401) return new UsageError(`LiveKit rejected the API key for ${url}: check LIVEKIT_API_KEY / LIVEKIT_API_SECRET`);
    if (e.status >= 500) return fail(`LiveKit failed (${status}) while ${what} at ${url}: a problem on LiveKit's side; try again in a minute`);
    if (!code) return fail(`${url} does not answer like LiveKit (${e.status}) while ${what}: check LIVEKIT_URL (e.g. wss://my-app-abc123.livekit.cloud)`);
    return fail(`LiveKit refused ${what} (${status})`);
  }
  if (e.name === 'SyntaxError')
    return fail(`${url} answered ${what} with something that is not JSON: check LIVEKIT_URL points at your LiveKit project`);
  const code = typeof e.cause?.code === 'string' ? e.cause.code : typeof e.code === 'string' ? e.code : undefined;
  if (code || e.message === 'fetch failed') {
    const why = code ? `${REACH[code] ?? 'failed'} (${code})` : 'failed';
    return fail(`Cannot reach LiveKit at ${url}: ${why}; check LIVEKIT_URL and the network`);
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
  return { trunks: trunks.value, rules: rules.value };
}

/** Which trunk is ours and which serves the number, judged over what readLiveKit listed. */
export function judgeLiveKit(lists: LiveKitLists, target: LiveKitTarget): LiveKitState {
  const j = trunkFor(lists.trunks, target.number, target.trunkName);
  return { trunk: j.ours, foreignTrunk: j.foreign, numbers: j.ours ? [...j.ours.numbers] : [], trunks: lists.trunks, rules: lists.rules };
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

// ── Planning ─────────────────────────────────────────────────────────────────────────────────────────

/** What a plan line shows for a secret value: that it is set, never what it is. */
const MASK = '••••';

/**
 * Desired vs observed → the changes, in order: the trunk, then the rule. Nothing differs → no change,
 * so a rerun makes no write call. Throws a UsageError when the number sits on a trunk that is not ours,
 * unless the person agreed to use that trunk, and when two trunks hold it (LiveKit cannot pick one).
 */
export function planLiveKit(conn: LiveKitConn, desired: LiveKitDesired, state: LiveKitState, opts: { useForeignTrunk?: boolean } = {}): Change[] {
  if (!/^\+[1-9]\d{5,14}$/.test(desired.number))
    throw new UsageError(`"${desired.number}" is not an E.164 number (like +14244851544); SignalWire sends the called number in that form`);
  const j = trunkFor(state.trunks, desired.number, desired.trunkName);
  if (j.holding.length > 1)
    throw new UsageError(
      `${desired.number} is on ${j.holding.length} LiveKit inbound trunks (${describeHolding(j.holding, desired.number)}), so LiveKit ` +
        'cannot tell which one a call belongs to: take it off all but one (LiveKit Cloud → Telephony → SIP trunks) and run again',
    );
  let trunk = j.ours;
  if (j.foreign) {
    if (!opts.useForeignTrunk) throw new UsageError(foreignTrunkProblem(desired, j.foreign, j.heldAs));
    trunk = j.foreign;
  }
  // The rule needs the trunk's id; a trunk this plan creates has one only once its change has run.
  const trunkId = { value: trunk?.sipTrunkId };
  const changes: Change[] = [];
  const trunkChange = trunk ? updateTrunk(conn, desired, trunk) : createTrunk(conn, desired, trunkId);
  if (trunkChange) changes.push(trunkChange);
  const ruleChange = planRule(conn, desired, state.rules, trunk, trunkId);
  if (ruleChange) changes.push(ruleChange);
  return changes;
}

function foreignTrunkProblem(desired: LiveKitDesired, t: SIPInboundTrunkInfo, heldAs?: string): string {
  const as = heldAs && heldAs !== desired.number ? ` (as "${heldAs}", which LiveKit matches to ${desired.number})` : '';
  return (
    `${desired.number} is already on LiveKit inbound trunk "${t.name || t.sipTrunkId}" (${t.sipTrunkId})${as}, not on "${desired.trunkName}", ` +
    'and LiveKit lets one number sit on one trunk only: choose to use that trunk when the wizard asks, ' +
    `or take the number off it (LiveKit Cloud → Telephony → SIP trunks) and run again`
  );
}

const list = (items: readonly string[]) => (items.length ? items.join(', ') : 'none');

function createTrunk(conn: LiveKitConn, d: LiveKitDesired, trunkId: { value?: string }): Change {
  const auth = d.auth;
  return {
    target: 'livekit',
    summary: `LiveKit trunk "${d.trunkName}": create with ${d.number} (digest auth ${auth ? `on, user ${auth.username}` : 'off'}${d.allowedAddresses ? `; allowed addresses ${list(d.allowedAddresses)}` : ''})`,
    apply: async () => {
      // Looked up again just before creating: a run going on at the same time may have made our trunk since
      // this plan read LiveKit. Reuse it (adding the number and login as an update would) rather than make a second.
      const fresh = await call(conn, 'listing inbound trunks', (sip) => sip.listSipInboundTrunk());
      const { ours } = trunkFor(fresh, d.number, d.trunkName);
      if (ours) {
        await updateTrunk(conn, d, ours)?.apply();
        trunkId.value = ours.sipTrunkId;
        return;
      }
      const opts = { ...(auth ? { authUsername: auth.username, authPassword: auth.password } : {}), ...(d.allowedAddresses ? { allowedAddresses: [...d.allowedAddresses] } : {}) };
      const created = await call(conn, `creating trunk "${d.trunkName}"`, (sip) => sip.createSipInboundTrunk(d.trunkName, [d.number], opts), secretsOf(d));
      trunkId.value = created.sipTrunkId;
    },
  };
}

function updateTrunk(conn: LiveKitConn, d: LiveKitDesired, trunk: SIPInboundTrunkInfo): Change | undefined {
  const parts: string[] = [];
  // Held in another form ("14244851544") is held: LiveKit matches it, and a second form changes nothing.
  const addNumber = !trunk.numbers.some((n) => sameNumber(n, d.number));
  if (addNumber) parts.push(`add ${d.number} (numbers ${list(trunk.numbers)} → ${list([...trunk.numbers, d.number])})`);
  let auth: { authUsername?: string; authPassword?: string } = {};
  const userChange = (to: string) => `digest user ${trunk.authUsername || 'none'} → ${to}`;
  if (d.auth && trunk.authUsername !== d.auth.username) {
    auth = { authUsername: d.auth.username, authPassword: d.auth.password };
    parts.push(`${userChange(d.auth.username)}, password ${trunk.authUsername || trunk.authPassword ? MASK : 'none'} → ${MASK} (new)`);
  } else if (d.auth && trunk.authPassword && trunk.authPassword !== d.auth.password) {
    // LiveKit may leave the password out of a list answer; only a password it shows can differ.
    auth = { authPassword: d.auth.password };
    parts.push(`digest password ${MASK} → ${MASK} (new)`);
  } else if (!d.auth && (trunk.authUsername || trunk.authPassword)) {
    auth = { authUsername: '', authPassword: '' };
    parts.push(`turn digest auth off (${userChange('none')})`);
  }
  const addresses = d.allowedAddresses && !sameSet(trunk.allowedAddresses, d.allowedAddresses) ? [...d.allowedAddresses] : undefined;
  if (addresses) parts.push(`allowed addresses ${list(trunk.allowedAddresses)} → ${list(addresses)}`);
  if (!parts.length) return undefined;
  const label = trunk.name || trunk.sipTrunkId;
  return {
    target: 'livekit',
    summary: `LiveKit trunk "${label}": ${parts.join('; ')}`,
    ...(auth.authUsername !== undefined || auth.authPassword !== undefined ? { login: auth.authPassword ? ('set' as const) : ('clear' as const) } : {}),
    apply: async () => {
      const { ListUpdate } = await import('@livekit/protocol');
      // A field update with `add`: numbers others put on the trunk stay.
      const fields = {
        ...(addNumber ? { numbers: new ListUpdate({ add: [d.number] }) } : {}),
        ...(addresses ? { allowedAddresses: new ListUpdate({ set: addresses }) } : {}),
        ...auth,
      };
      await call(conn, `updating trunk "${label}"`, (sip) => sip.updateSipInboundTrunkFields(trunk.sipTrunkId, fields), secretsOf(d));
    },
  };
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

const secretsOf = (d: LiveKitDesired) => (d.auth ? [d.auth.password] : []);

const agentsOf = (rule: SIPDispatchRuleInfo) => (rule.roomConfig?.agents ?? []).map((a) => a.agentName);

const isOurShape = (rule: SIPDispatchRuleInfo) => {
  const r = rule.rule?.rule;
  return r?.case === 'dispatchRuleIndividual' && r.value.roomPrefix === ROOM_PREFIX && !r.value.pin;
};

/** A rule's shape in a plan line: `individual "call-"`, `direct room "lobby" with a PIN` (the PIN never shown). */
function shapeOf(rule: SIPDispatchRuleInfo): string {
  const r = rule.rule?.rule;
  if (!r?.case) return 'none';
  const pin = r.value.pin ? ' with a PIN' : '';
  if (r.case === 'dispatchRuleDirect') return `direct room "${r.value.roomName}"${pin}`;
  return `${r.case === 'dispatchRuleIndividual' ? 'individual' : 'callee'} "${r.value.roomPrefix}"${pin}`;
}

const agentLabel = (names: readonly string[]) => (names.length ? names.join(', ') : 'none (automatic dispatch)');

function planRule(
  conn: LiveKitConn,
  d: LiveKitDesired,
  rules: SIPDispatchRuleInfo[],
  trunk: SIPInboundTrunkInfo | undefined,
  trunkId: { value?: string },
): Change | undefined {
  // The same judgement the check makes: the rule that covers the number on this trunk, else ours by name.
  // LiveKit refuses two open rules for one trunk and number, so a covering rule is changed, never doubled.
  const { target } = ruleFor(rules, trunk, d.number, d.ruleName);
  if (!target) return createRule(conn, d, trunkId);
  return updateRule(conn, d, target, trunk?.name || d.trunkName, trunk?.sipTrunkId, trunkId);
}

function updateRule(
  conn: LiveKitConn,
  d: LiveKitDesired,
  rule: SIPDispatchRuleInfo,
  trunkLabel: string,
  knownTrunkId: string | undefined,
  trunkId: { value?: string },
): Change | undefined {
  const want = d.agentName ? [d.agentName] : [];
  const agent = want[0];
  const needTrunk = !knownTrunkId || !rule.trunkIds.includes(knownTrunkId);
  // A `numbers` filter that leaves our number out: LiveKit skips the rule for our calls (ruleFor). Another form
  // of it in the filter is replaced, not kept beside: LiveKit would refuse the rule as conflicting with itself.
  const numbers = ruleNumbersTaking(rule.numbers, d.number);
  const needNumber = numbers !== undefined;
  // A filter on callers (inboundNumbers) would leave every other caller without a rule.
  const needCallers = rule.inboundNumbers.length > 0;
  const needShape = !isOurShape(rule);
  const have = agentsOf(rule);
  const needAgent = have.length !== want.length || have.some((a, i) => a !== want[i]);
  if (!needTrunk && !needNumber && !needCallers && !needShape && !needAgent) return undefined;

  const parts: string[] = [];
  if (needTrunk) parts.push(`cover trunk "${trunkLabel}" (trunks ${rule.trunkIds.length ? rule.trunkIds.join(', ') : 'any'} → ${[...rule.trunkIds, knownTrunkId ?? `"${trunkLabel}"`].join(', ')})`);
  if (numbers) parts.push(`numbers ${list(rule.numbers)} → ${list(numbers)}`);
  if (needCallers) parts.push(`callers ${list(rule.inboundNumbers)} → any`);
  if (needShape) parts.push(`rooms ${shapeOf(rule)} → individual "${ROOM_PREFIX}"`);
  if (needAgent) parts.push(`agent ${agentLabel(have)} → ${agentLabel(want)}`);
  const label = rule.name || rule.sipDispatchRuleId;
  return {
    target: 'livekit',
    summary: `LiveKit dispatch rule "${label}": ${parts.join('; ')}`,
    apply: async () => {
      const id = requireTrunkId(trunkId);
      const sdk = await import('livekit-server-sdk');
      const what = `updating dispatch rule "${label}"`;
      const shape = () => new sdk.SIPDispatchRule({ rule: { case: 'dispatchRuleIndividual', value: new sdk.SIPDispatchRuleIndividual({ roomPrefix: ROOM_PREFIX }) } });
      if (!needAgent && !needNumber && !needCallers) {
        const { ListUpdate } = await import('@livekit/protocol');
        const fields = { ...(needTrunk ? { trunkIds: new ListUpdate({ add: [id] }) } : {}), ...(needShape ? { rule: shape() } : {}) };
        await call(conn, what, (sip) => sip.updateSipDispatchRuleFields(rule.sipDispatchRuleId, fields));
        return;
      }
      // A field update cannot change roomConfig or the number filters (SIPDispatchRuleUpdate has no such fields):
      // replace the whole rule, keeping everything else it had.
      const next = rule.clone();
      if (needTrunk && !next.trunkIds.includes(id)) next.trunkIds = [...next.trunkIds, id];
      if (numbers) next.numbers = numbers;
      if (needCallers) next.inboundNumbers = [];
      if (needShape) next.rule = shape();
      const roomConfig = next.roomConfig ?? new sdk.RoomConfiguration();
      roomConfig.agents = agent ? [new sdk.RoomAgentDispatch({ agentName: agent })] : [];
      next.roomConfig = roomConfig;
      await call(conn, what, (sip) => sip.updateSipDispatchRule(rule.sipDispatchRuleId, next));
    },
  };
}

function createRule(conn: LiveKitConn, d: LiveKitDesired, trunkId: { value?: string }): Change {
  const agent = d.agentName || undefined;
  return {
    target: 'livekit',
    summary: `LiveKit dispatch rule "${d.ruleName}": create (individual, rooms "${ROOM_PREFIX}…", ${agent ? `agent ${agent}` : 'automatic dispatch'})`,
    apply: async () => {
      const id = requireTrunkId(trunkId);
      // Looked up again just before creating: a run going on at the same time may have made our rule for
      // this trunk since the plan read LiveKit (LiveKit would refuse a second one). Reuse it.
      const fresh = await call(conn, 'listing dispatch rules', (sip) => sip.listSipDispatchRule());
      const ours = fresh.find((r) => r.name === d.ruleName && r.trunkIds.includes(id));
      if (ours) {
        await updateRule(conn, d, ours, d.trunkName, id, trunkId)?.apply();
        return;
      }
      const sdk = await import('livekit-server-sdk');
      const roomConfig = agent ? new sdk.RoomConfiguration({ agents: [new sdk.RoomAgentDispatch({ agentName: agent })] }) : undefined;
      await call(conn, `creating dispatch rule "${d.ruleName}"`, (sip) =>
        sip.createSipDispatchRule({ type: 'individual', roomPrefix: ROOM_PREFIX }, { name: d.ruleName, trunkIds: [id], roomConfig }),
      );
    },
  };
}

function requireTrunkId(ref: { value?: string }): string {
  if (!ref.value) throw new ServiceError('LiveKit', 'LiveKit: the inbound trunk was not created, so the dispatch rule cannot name it; run again');
  return ref.value;
}

// ── Removing a number ────────────────────────────────────────────────────────────────────────────────

/**
 * Takes the number off our trunk. Only when no number is left are our rule and trunk deleted (a rule
 * that also covers other trunks just stops naming ours). Nothing to do → no change.
 */
export function planRemoveNumber(conn: LiveKitConn, target: LiveKitTarget, state: LiveKitState): Change[] {
  const trunk = state.trunk;
  const held = trunk ? trunk.numbers.filter((n) => sameNumber(n, target.number)) : [];
  if (!trunk || !held.length) {
    const f = state.foreignTrunk;
    if (f)
      throw new UsageError(
        `${target.number} is on LiveKit trunk "${f.name || f.sipTrunkId}" (${f.sipTrunkId}), which is not "${target.trunkName}": ` +
          'this command changes only its own trunk; take the number off in LiveKit Cloud → Telephony → SIP trunks',
      );
    return [];
  }
  const label = trunk.name || trunk.sipTrunkId;
  // Every form of the number goes ("14244851544" too): LiveKit would still match any one left behind.
  const left = trunk.numbers.filter((n) => !held.includes(n));
  if (left.length)
    return [
      {
        target: 'livekit',
        summary: `LiveKit trunk "${label}": remove ${target.number} (keeps ${left.join(', ')})`,
        apply: async () => {
          const { ListUpdate } = await import('@livekit/protocol');
          await call(conn, `updating trunk "${label}"`, (sip) =>
            sip.updateSipInboundTrunkFields(trunk.sipTrunkId, { numbers: new ListUpdate({ remove: held }) }),
          );
        },
      },
    ];

  const changes: Change[] = [];
  for (const rule of state.rules.filter((r) => r.name === target.ruleName && r.trunkIds.includes(trunk.sipTrunkId))) {
    const others = rule.trunkIds.filter((id) => id !== trunk.sipTrunkId);
    const ruleLabel = rule.name || rule.sipDispatchRuleId;
    changes.push(
      others.length
        ? {
            target: 'livekit',
            summary: `LiveKit dispatch rule "${ruleLabel}": stop covering trunk "${label}" (it covers other trunks too)`,
            apply: async () => {
              const { ListUpdate } = await import('@livekit/protocol');
              await call(conn, `updating dispatch rule "${ruleLabel}"`, (sip) =>
                sip.updateSipDispatchRuleFields(rule.sipDispatchRuleId, { trunkIds: new ListUpdate({ remove: [trunk.sipTrunkId] }) }),
              );
            },
          }
        : {
            target: 'livekit',
            summary: `LiveKit dispatch rule "${ruleLabel}": delete (its trunk has no number left)`,
            apply: async () => {
              await call(conn, `deleting dispatch rule "${ruleLabel}"`, (sip) => sip.deleteSipDispatchRule(rule.sipDispatchRuleId));
            },
          },
    );
  }
  changes.push({
    target: 'livekit',
    summary: `LiveKit trunk "${label}": delete (${target.number} was its last number)`,
    apply: async () => {
      await call(conn, `deleting trunk "${label}"`, (sip) => sip.deleteSipTrunk(trunk.sipTrunkId));
    },
  });
  return changes;
}

// ── Trunk security ───────────────────────────────────────────────────────────────────────────────────

/** Digest credentials for the trunk: a recognisable username and a 32-character URL-safe password. */
export function generateSipAuth(): { username: string; password: string } {
  return { username: `sip-${randomBytes(4).toString('hex')}`, password: randomBytes(24).toString('base64url') };
}

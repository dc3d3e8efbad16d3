// The only code that touches LiveKit: check the key, observe the inbound trunk and dispatch rule, plan the
// changes that make them carry a number, and take a number off again. livekit-server-sdk (and
// @livekit/protocol) load on first use so that --help and the first prompt appear at once.
import { randomBytes } from 'node:crypto';
import type { SIPDispatchRuleInfo, SIPInboundTrunkInfo } from '@livekit/protocol';
import type { SipClient } from 'livekit-server-sdk';
import { ServiceError, UsageError } from '../errors.js';
import type { Change } from '../plan.js';
import { redactLine } from '../redact.js';

export const DEFAULT_NAME = 'create-sip-inbound';
/** An individual rule names rooms `<prefix>_<caller>_<random>`; the check finds calls by this prefix. */
export const ROOM_PREFIX = 'sip-';
const DEFAULT_TIMEOUT_MS = 10_000;

export interface LiveKitConn {
  url: string;
  apiKey: string;
  apiSecret: string;
  /** Per request; default 10000. */
  timeoutMs?: number;
}

/** Which number, and the names of the trunk and rule this tool owns. */
export interface LiveKitTarget {
  /** E.164, e.g. +14244851544: LiveKit matches the called number exactly. */
  number: string;
  trunkName: string;
  ruleName: string;
}

export interface LiveKitDesired extends LiveKitTarget {
  /** '' or undefined: automatic dispatch (the rule names no agent). */
  agentName?: string;
  /** null: no digest auth on the trunk (--no-sip-auth). */
  auth: { username: string; password: string } | null;
}

export interface LiveKitState {
  /** Our trunk: named trunkName, the one holding the number first. */
  trunk?: SIPInboundTrunkInfo;
  /** The trunk that holds the number when it is not ours (someone made it by hand, or another tool). */
  foreignTrunk?: SIPInboundTrunkInfo;
  /** Every number on our trunk. */
  numbers: string[];
  /** The dispatch rules that matter: named ruleName, or naming our trunk or the foreign one. */
  rules: SIPDispatchRuleInfo[];
}

// ── Connection and errors ────────────────────────────────────────────────────────────────────────────

async function sipClient(conn: LiveKitConn): Promise<SipClient> {
  const { SipClient } = await import('livekit-server-sdk');
  // No region failover: it prints warnings and turns one 10 s timeout into three; one clear line is better.
  return new SipClient(conn.url, conn.apiKey, conn.apiSecret, { requestTimeout: timeoutOf(conn) / 1000, failover: false });
}

const timeoutOf = (conn: LiveKitConn) => conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;

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
  const clean = (s: string) => redactLine(s, [conn.apiSecret, ...secrets]);
  const fail = (msg: string) => new ServiceError('LiveKit', clean(msg), { cause: err });

  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return fail(`LiveKit did not answer within ${seconds(timeoutOf(conn))} s while ${what} at ${url}: check LIVEKIT_URL and the network, then try again`);
  if (typeof e.status === 'number') {
    const code = typeof e.code === 'string' ? e.code : undefined;
    const said = [code, e.message && e.message !== code ? e.message : ''].filter(Boolean).join(': ');
    const status = `${e.status}${said ? ` ${said}` : ''}`;
    if (e.status === 401) return new UsageError(`LiveKit rejected the API key for ${url}: check LIVEKIT_API_KEY / LIVEKIT_API_SECRET`);
    if (e.status === 403)
      return new UsageError(
        `LiveKit API key ${clean(conn.apiKey)} lacks the SIP admin permission (403) at ${url}: give the key admin/SIP permissions ` +
          'in LiveKit Cloud → Settings → API keys, or use a key that has them',
      );
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

const seconds = (ms: number) => String(ms % 1000 === 0 ? ms / 1000 : Math.round(ms / 100) / 10);

// ── Reading ──────────────────────────────────────────────────────────────────────────────────────────

/** Proves the URL, key and secret (and the SIP admin grant) with one list call. */
export async function checkLiveKit(conn: LiveKitConn): Promise<void> {
  await call(conn, 'listing inbound trunks', (sip) => sip.listSipInboundTrunk());
}

/** The numbers on our trunk(s), for a rerun's "update or add a number?". */
export async function listTrunkNumbers(conn: LiveKitConn, trunkName: string): Promise<string[]> {
  const trunks = await call(conn, 'listing inbound trunks', (sip) => sip.listSipInboundTrunk());
  return [...new Set(trunks.filter((t) => t.name === trunkName).flatMap((t) => t.numbers))];
}

export async function observeLiveKit(conn: LiveKitConn, target: LiveKitTarget): Promise<LiveKitState> {
  // Unfiltered: a `numbers` filter also returns wildcard trunks, and ours is found by name as well.
  const trunks = await call(conn, 'listing inbound trunks', (sip) => sip.listSipInboundTrunk());
  const holding = trunks.filter((t) => t.numbers.includes(target.number));
  const named = trunks.filter((t) => t.name === target.trunkName);
  const trunk = named.find((t) => holding.includes(t)) ?? named[0];
  const foreignTrunk = trunk?.numbers.includes(target.number) ? undefined : holding[0];
  const ids = [trunk, foreignTrunk].flatMap((t) => (t ? [t.sipTrunkId] : []));
  const rules = await call(conn, 'listing dispatch rules', (sip) => sip.listSipDispatchRule());
  return {
    trunk,
    foreignTrunk,
    numbers: trunk ? [...trunk.numbers] : [],
    rules: rules.filter((r) => r.name === target.ruleName || r.trunkIds.some((id) => ids.includes(id))),
  };
}

// ── Planning ─────────────────────────────────────────────────────────────────────────────────────────

/**
 * Desired vs observed → the changes, in order: the trunk, then the rule. Nothing differs → no change,
 * so a rerun makes no write call. Throws a UsageError when the number sits on a trunk that is not ours,
 * unless the person agreed to use that trunk.
 */
export function planLiveKit(conn: LiveKitConn, desired: LiveKitDesired, state: LiveKitState, opts: { useForeignTrunk?: boolean } = {}): Change[] {
  if (!/^\+[1-9]\d{5,14}$/.test(desired.number))
    throw new UsageError(`"${desired.number}" is not an E.164 number (like +14244851544); LiveKit matches the called number exactly`);
  let trunk = state.trunk;
  if (state.foreignTrunk) {
    if (!opts.useForeignTrunk) throw new UsageError(foreignTrunkProblem(desired, state.foreignTrunk));
    trunk = state.foreignTrunk;
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

function foreignTrunkProblem(desired: LiveKitDesired, t: SIPInboundTrunkInfo): string {
  return (
    `${desired.number} is already on LiveKit inbound trunk "${t.name || t.sipTrunkId}" (${t.sipTrunkId}), not on "${desired.trunkName}", ` +
    'and LiveKit lets one number sit on one trunk only: choose to use that trunk when the wizard asks, ' +
    `or take the number off it (LiveKit Cloud → Telephony → SIP trunks) and run again`
  );
}

function createTrunk(conn: LiveKitConn, d: LiveKitDesired, trunkId: { value?: string }): Change {
  const auth = d.auth;
  return {
    target: 'livekit',
    summary: `LiveKit trunk "${d.trunkName}": create with ${d.number} (digest auth ${auth ? 'on' : 'off'})`,
    apply: async () => {
      const opts = auth ? { authUsername: auth.username, authPassword: auth.password } : {};
      const created = await call(conn, `creating trunk "${d.trunkName}"`, (sip) => sip.createSipInboundTrunk(d.trunkName, [d.number], opts), secretsOf(d));
      trunkId.value = created.sipTrunkId;
    },
  };
}

function updateTrunk(conn: LiveKitConn, d: LiveKitDesired, trunk: SIPInboundTrunkInfo): Change | undefined {
  const parts: string[] = [];
  const addNumber = !trunk.numbers.includes(d.number);
  if (addNumber) parts.push(`add ${d.number}`);
  let auth: { authUsername?: string; authPassword?: string } = {};
  if (d.auth && trunk.authUsername !== d.auth.username) {
    auth = { authUsername: d.auth.username, authPassword: d.auth.password };
    parts.push(trunk.authUsername ? `change digest auth to user ${d.auth.username} and a new password` : `turn digest auth on (user ${d.auth.username})`);
  } else if (d.auth && trunk.authPassword && trunk.authPassword !== d.auth.password) {
    // LiveKit may leave the password out of a list answer; only a password it shows can differ.
    auth = { authPassword: d.auth.password };
    parts.push('change the digest auth password');
  } else if (!d.auth && (trunk.authUsername || trunk.authPassword)) {
    auth = { authUsername: '', authPassword: '' };
    parts.push('turn digest auth off');
  }
  if (!parts.length) return undefined;
  const label = trunk.name || trunk.sipTrunkId;
  return {
    target: 'livekit',
    summary: `LiveKit trunk "${label}": ${parts.join('; ')}`,
    ...(auth.authUsername !== undefined || auth.authPassword !== undefined ? { login: auth.authPassword ? ('set' as const) : ('clear' as const) } : {}),
    apply: async () => {
      const { ListUpdate } = await import('@livekit/protocol');
      // A field update with `add`: numbers others put on the trunk stay.
      const fields = { ...(addNumber ? { numbers: new ListUpdate({ add: [d.number] }) } : {}), ...auth };
      await call(conn, `updating trunk "${label}"`, (sip) => sip.updateSipInboundTrunkFields(trunk.sipTrunkId, fields), secretsOf(d));
    },
  };
}

const secretsOf = (d: LiveKitDesired) => (d.auth ? [d.auth.password] : []);

const agentsOf = (rule: SIPDispatchRuleInfo) => (rule.roomConfig?.agents ?? []).map((a) => a.agentName);

const isOurShape = (rule: SIPDispatchRuleInfo) => {
  const r = rule.rule?.rule;
  return r?.case === 'dispatchRuleIndividual' && r.value.roomPrefix === ROOM_PREFIX && !r.value.pin;
};

function planRule(
  conn: LiveKitConn,
  d: LiveKitDesired,
  rules: SIPDispatchRuleInfo[],
  trunk: SIPInboundTrunkInfo | undefined,
  trunkId: { value?: string },
): Change | undefined {
  const covering = trunk ? rules.filter((r) => r.trunkIds.includes(trunk.sipTrunkId)) : [];
  // LiveKit allows one rule per trunk: reuse the one that covers it, else ours by name, else create.
  const rule = covering.find((r) => r.name === d.ruleName) ?? covering[0] ?? rules.find((r) => r.name === d.ruleName);
  const want = d.agentName ? [d.agentName] : [];
  const agent = want[0];
  if (!rule) return createRule(conn, d, trunkId);

  const needTrunk = !trunk || !rule.trunkIds.includes(trunk.sipTrunkId);
  const needShape = !isOurShape(rule);
  const have = agentsOf(rule);
  const needAgent = have.length !== want.length || have.some((a, i) => a !== want[i]);
  if (!needTrunk && !needShape && !needAgent) return undefined;

  const parts: string[] = [];
  if (needTrunk) parts.push(`cover trunk "${trunk?.name || d.trunkName}"`);
  if (needShape) parts.push(`make it individual with rooms "${ROOM_PREFIX}…"`);
  if (needAgent)
    parts.push(agent ? `set agent ${agent}${have.length ? ` (was ${have.join(', ')})` : ''}` : `clear agent ${have.join(', ')} (automatic dispatch)`);
  const label = rule.name || rule.sipDispatchRuleId;
  return {
    target: 'livekit',
    summary: `LiveKit dispatch rule "${label}": ${parts.join('; ')}`,
    apply: async () => {
      const id = requireTrunkId(trunkId);
      const sdk = await import('livekit-server-sdk');
      const what = `updating dispatch rule "${label}"`;
      const shape = () => new sdk.SIPDispatchRule({ rule: { case: 'dispatchRuleIndividual', value: new sdk.SIPDispatchRuleIndividual({ roomPrefix: ROOM_PREFIX }) } });
      if (!needAgent) {
        const { ListUpdate } = await import('@livekit/protocol');
        const fields = { ...(needTrunk ? { trunkIds: new ListUpdate({ add: [id] }) } : {}), ...(needShape ? { rule: shape() } : {}) };
        await call(conn, what, (sip) => sip.updateSipDispatchRuleFields(rule.sipDispatchRuleId, fields));
        return;
      }
      // A field update cannot change roomConfig (SIPDispatchRuleUpdate has no such field): replace the
      // whole rule, keeping everything else it had.
      const next = rule.clone();
      if (needTrunk) next.trunkIds = [...next.trunkIds, id];
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
  if (!trunk || !trunk.numbers.includes(target.number)) {
    const f = state.foreignTrunk;
    if (f)
      throw new UsageError(
        `${target.number} is on LiveKit trunk "${f.name || f.sipTrunkId}" (${f.sipTrunkId}), which is not "${target.trunkName}": ` +
          'this command changes only its own trunk; take the number off in LiveKit Cloud → Telephony → SIP trunks',
      );
    return [];
  }
  const label = trunk.name || trunk.sipTrunkId;
  const left = trunk.numbers.filter((n) => n !== target.number);
  if (left.length)
    return [
      {
        target: 'livekit',
        summary: `LiveKit trunk "${label}": remove ${target.number} (keeps ${left.join(', ')})`,
        apply: async () => {
          const { ListUpdate } = await import('@livekit/protocol');
          await call(conn, `updating trunk "${label}"`, (sip) =>
            sip.updateSipInboundTrunkFields(trunk.sipTrunkId, { numbers: new ListUpdate({ remove: [target.number] }) }),
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

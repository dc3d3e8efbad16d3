// The changes that make LiveKit's inbound trunk and dispatch rule carry a number (planLiveKit), and that take a
// number off again (planRemoveNumber): desired vs what livekit.ts observed and judged, each change one line for
// the plan and one write. livekit.ts holds the connection, the reads and the judgements they share with the check.
import type { SIPDispatchRuleInfo, SIPInboundTrunkInfo } from '@livekit/protocol';
import { ServiceError, UsageError } from '../errors.js';
import type { Change } from '../changes.js';
import { listingIsOld } from '../timing.js';
import { call, describeHolding, ROOM_PREFIX, ruleFor, trunkFor, type LiveKitConn, type LiveKitDesired, type LiveKitState, type LiveKitTarget } from './livekit.js';
import { ruleNumbersTaking, sameNumber } from './sip-number.js';

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
  const trunkId: TrunkRef = { value: trunk?.sipTrunkId };
  const changes: Change[] = [];
  const trunkChange = trunk ? updateTrunk(conn, desired, trunk) : createTrunk(conn, desired, trunkId, state.readAt);
  if (trunkChange) changes.push(trunkChange);
  const ruleChange = planRule(conn, desired, state.rules, trunk, trunkId, state.readAt);
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

function createTrunk(conn: LiveKitConn, d: LiveKitDesired, trunkId: TrunkRef, readAt: number | undefined): Change {
  const auth = d.auth;
  return {
    target: 'livekit',
    summary: `LiveKit trunk "${d.trunkName}": create with ${d.number} (digest auth ${auth ? `on, user ${auth.username}` : 'off'}${d.allowedAddresses ? `; allowed addresses ${list(d.allowedAddresses)}` : ''})`,
    apply: async () => {
      // Looked up again just before creating when the plan's listing is old: a run going on at the same time
      // may have made our trunk since. Reuse it rather than make a second.
      const fresh = listingIsOld(readAt) ? await call(conn, 'listing inbound trunks', (sip) => sip.listSipInboundTrunk()) : [];
      const { ours } = trunkFor(fresh, d.number, d.trunkName);
      if (ours) return reuseTrunk(conn, d, ours, trunkId);
      const opts = { ...(auth ? { authUsername: auth.username, authPassword: auth.password } : {}), ...(d.allowedAddresses ? { allowedAddresses: [...d.allowedAddresses] } : {}) };
      try {
        const created = await call(conn, `creating trunk "${d.trunkName}"`, (sip) => sip.createSipInboundTrunk(d.trunkName, [d.number], opts), secretsOf(d));
        trunkId.value = created.sipTrunkId;
      } catch (err) {
        // Refused because a run at the same moment created ours with the number (LiveKit allows one trunk per
        // number): reuse that one. Anything else is the failure it was.
        const now = trunkFor(await call(conn, 'listing inbound trunks', (sip) => sip.listSipInboundTrunk()), d.number, d.trunkName);
        if (!now.ours || now.serving !== now.ours) throw err;
        await reuseTrunk(conn, d, now.ours, trunkId);
      }
    },
  };
}

/**
 * Our trunk, made by another run since this plan read LiveKit: it gets the number, and keeps its login (the
 * login the other run's .env and SWML carry; this run's .env and SWML take it after the apply, login.ts).
 */
async function reuseTrunk(conn: LiveKitConn, d: LiveKitDesired, trunk: SIPInboundTrunkInfo, trunkId: TrunkRef): Promise<void> {
  const kept = trunk.authUsername && trunk.authPassword ? { username: trunk.authUsername, password: trunk.authPassword } : d.auth;
  await updateTrunk(conn, { ...d, auth: kept }, trunk)?.apply();
  trunkId.value = trunk.sipTrunkId;
  trunkId.reused = true;
}

/** The trunk's id for the rule, known once the trunk's change has run; `reused`: another run made that trunk. */
interface TrunkRef {
  value?: string;
  reused?: boolean;
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
  readAt: number | undefined,
): Change | undefined {
  // The same judgement the check makes: the rule that covers the number on this trunk, else ours by name.
  // LiveKit refuses two open rules for one trunk and number, so a covering rule is changed, never doubled.
  const { target } = ruleFor(rules, trunk, d.number, d.ruleName);
  if (!target) return createRule(conn, d, trunkId, readAt);
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

function createRule(conn: LiveKitConn, d: LiveKitDesired, trunkId: TrunkRef, readAt: number | undefined): Change {
  const agent = d.agentName || undefined;
  return {
    target: 'livekit',
    summary: `LiveKit dispatch rule "${d.ruleName}": create (individual, rooms "${ROOM_PREFIX}…", ${agent ? `agent ${agent}` : 'automatic dispatch'})`,
    apply: async () => {
      const id = requireTrunkId(trunkId);
      // Looked up again just before creating when the plan's listing is old, or the trunk is another run's:
      // that run may have made our rule for it since (LiveKit would refuse a second one). Reuse it.
      const oursIn = (rules: SIPDispatchRuleInfo[]) => rules.find((r) => r.name === d.ruleName && r.trunkIds.includes(id));
      const look = listingIsOld(readAt) || trunkId.reused;
      const ours = look ? oursIn(await call(conn, 'listing dispatch rules', (sip) => sip.listSipDispatchRule())) : undefined;
      if (ours) {
        await updateRule(conn, d, ours, d.trunkName, id, trunkId)?.apply();
        return;
      }
      const sdk = await import('livekit-server-sdk');
      const roomConfig = agent ? new sdk.RoomConfiguration({ agents: [new sdk.RoomAgentDispatch({ agentName: agent })] }) : undefined;
      try {
        await call(conn, `creating dispatch rule "${d.ruleName}"`, (sip) =>
          sip.createSipDispatchRule({ type: 'individual', roomPrefix: ROOM_PREFIX }, { name: d.ruleName, trunkIds: [id], roomConfig }),
        );
      } catch (err) {
        // Refused because a run at the same moment created ours for this trunk: bring that one to this plan.
        const now = oursIn(await call(conn, 'listing dispatch rules', (sip) => sip.listSipDispatchRule()));
        if (!now) throw err;
        await updateRule(conn, d, now, d.trunkName, id, trunkId)?.apply();
      }
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

// Hops: LiveKit answers with this key; an inbound trunk serves the number; a dispatch rule dispatches its
// calls to the agent the worker registers (FACTS.md: a named worker is only dispatched explicitly, an
// unnamed one joins every room). Which trunk and which rule is the LiveKit service's judgement (trunkFor,
// ruleFor), the same the setup plans with: the two cannot disagree.
import { tool } from '../invocation.js';
import type { SIPDispatchRuleInfo, SIPInboundTrunkInfo } from '@livekit/protocol';
import { DEFAULT_NAME } from '../settings.js';
import { describeHolding, judgeLiveKit, readLiveKit, ruleFor, trunkFor, type LiveKitLists, type LiveKitState } from '../services/livekit.js';
import { normalizeNumber } from '../services/sip-number.js';
import type { Values } from '../settings.js';
import { toE164 } from '../validate.js';
import { liveKitProblem } from './livekit-api.js';
import type { Hop, LiveKitConn } from './types.js';

export const LIVEKIT_HOP = { id: 'livekit', title: 'LiveKit reachable, key valid' } as const;
export const TRUNK_HOP = { id: 'trunk', title: 'Inbound trunk holds the number' } as const;
export const RULE_HOP = { id: 'rule', title: 'Dispatch rule covers the number' } as const;

export interface LiveKitFindings {
  hops: Hop[];
  trunk?: SIPInboundTrunkInfo;
  rule?: SIPDispatchRuleInfo;
  /** Agent names the rule dispatches (empty: automatic dispatch). */
  ruleAgents: string[];
  /** Prefix of the rooms calls land in (the rule's, else LiveKit's default for our rule). */
  roomPrefix: string;
  /** Every inbound trunk and dispatch rule listed, for the doctor. */
  trunks?: SIPInboundTrunkInfo[];
  rules?: SIPDispatchRuleInfo[];
}

export const DEFAULT_ROOM_PREFIX = 'sip-';

/** `lists`: the trunks and rules already read (the setup's plan, or a read started earlier); else they are read here. */
export async function liveKitHops(conn: LiveKitConn, values: Values, lists?: Promise<LiveKitLists>): Promise<LiveKitFindings> {
  const e164 = values.PHONE_NUMBER!;
  const found: LiveKitFindings = { hops: [], ruleAgents: [], roomPrefix: DEFAULT_ROOM_PREFIX };
  const skip = (hop: { id: string; title: string }, why: string): Hop => ({ ...hop, ok: false, skipped: true, detail: why });

  let state: LiveKitState;
  try {
    const target = { number: e164, trunkName: trunkNameOf(values), ruleName: values.LIVEKIT_SIP_RULE_NAME ?? DEFAULT_NAME };
    state = judgeLiveKit(await (lists ?? readLiveKit(conn)), target);
  } catch (err) {
    const p = liveKitProblem(err, conn, 'listing inbound trunks and dispatch rules');
    found.hops.push({ ...LIVEKIT_HOP, ok: false, detail: p.detail, fix: p.fix });
    found.hops.push(skip(TRUNK_HOP, 'needs LiveKit'), skip(RULE_HOP, 'needs LiveKit'));
    return found;
  }
  found.hops.push({ ...LIVEKIT_HOP, ok: true, detail: `${conn.url} accepted the key` });
  found.trunks = state.trunks;

  const trunkHop = checkTrunk(state.trunks, values);
  found.hops.push(trunkHop.hop);
  if (!trunkHop.trunk) {
    found.hops.push(skip(RULE_HOP, 'needs a trunk holding the number'));
    return found;
  }
  found.trunk = trunkHop.trunk;

  found.rules = state.rules;
  const r = checkRule(state.rules, trunkHop.trunk, e164, values.AGENT_NAME, values.LIVEKIT_SIP_RULE_NAME ?? DEFAULT_NAME);
  found.hops.push(r.hop);
  if (r.rule) {
    found.rule = r.rule;
    found.ruleAgents = agentsOf(r.rule);
    // An empty prefix names rooms <caller>_<random> (FACTS.md): every room is then a candidate.
    found.roomPrefix = roomPrefixOf(r.rule) ?? '';
  }
  return found;
}

const trunkNameOf = (values: Values) => values.LIVEKIT_SIP_TRUNK_NAME ?? DEFAULT_NAME;

export function checkTrunk(trunks: SIPInboundTrunkInfo[], values: Values): { hop: Hop; trunk?: SIPInboundTrunkInfo } {
  const e164 = values.PHONE_NUMBER!;
  const ourName = trunkNameOf(values);
  const j = trunkFor(trunks, e164, ourName);
  const title = `Inbound trunk holds ${e164}`;
  const fail = (detail: string, fix: string) => ({ hop: { ...TRUNK_HOP, title, ok: false, detail, fix } });

  if (j.holding.length > 1)
    return fail(
      `${e164} is on ${j.holding.length} inbound trunks (${describeHolding(j.holding, e164)}); LiveKit cannot tell which one a call belongs to ("Multiple SIP Trunks matched")`,
      'take the number off all but one trunk (LiveKit Cloud → Telephony → SIP trunks), then rerun',
    );
  const trunk = j.serving;
  if (!trunk) {
    // A form LiveKit does not normalise to ours ("(424) 485-1544" reads as +4244851544) is a near miss worth naming.
    const near = trunks.flatMap((t) => t.numbers.filter((n) => toE164(n) === e164).map((n) => ({ t, n })))[0];
    if (near)
      return fail(
        `trunk "${near.t.name}" holds it as "${near.n}", which LiveKit reads as "${normalizeNumber(near.n)}", not ${e164}`,
        `replace "${near.n}" with ${e164} on the trunk: rerun ${tool()}, or lk sip inbound update`,
      );
    const ours = j.ours;
    const where = ours
      ? `trunk "${ours.name}" holds ${ours.numbers.length ? ours.numbers.join(', ') : 'no numbers'}`
      : `${trunks.length} inbound trunk${trunks.length === 1 ? '' : 's'}, none named "${ourName}"`;
    const fallback = j.catchAll
      ? `calls go to trunk "${j.catchAll.name || j.catchAll.sipTrunkId}", which holds no numbers and takes any`
      : 'calls get "404 No trunk found"';
    return fail(`no inbound trunk holds ${e164} (${where}); ${fallback}`, `rerun ${tool()} --number ${e164} to put the number on the trunk`);
  }

  const auth = authMismatch(trunk, values);
  if (auth) return { hop: { ...TRUNK_HOP, title, ok: false, detail: auth, fix: `rerun ${tool()} so the trunk and .env (and so the carrier's route) carry the same digest username and password` }, trunk };
  const as = j.heldAs && j.heldAs !== e164 ? `, held as "${j.heldAs}" (LiveKit matches it to ${e164})` : '';
  const authNote = trunk.authUsername ? 'digest auth on' : 'no digest auth';
  return { hop: { ...TRUNK_HOP, title, ok: true, detail: `trunk "${trunk.name}" (${trunk.sipTrunkId})${as}, ${authNote}` }, trunk };
}

/** The carrier's route (SignalWire's SWML) answers the trunk's digest challenge with LIVEKIT_SIP_USERNAME/PASSWORD: they must be the trunk's. */
function authMismatch(trunk: SIPInboundTrunkInfo, values: Values): string | undefined {
  const user = values.LIVEKIT_SIP_USERNAME ?? '';
  if (!trunk.authUsername) return undefined;
  if (!user) return `trunk "${trunk.name}" demands SIP digest auth, but LIVEKIT_SIP_USERNAME / LIVEKIT_SIP_PASSWORD are not set`;
  if (trunk.authUsername !== user)
    return `trunk "${trunk.name}" demands digest user "${trunk.authUsername}", but LIVEKIT_SIP_USERNAME is "${user}"`;
  // LiveKit may hand the password back or leave it out; compare only when it is there, and never show it.
  if (trunk.authPassword && trunk.authPassword !== values.LIVEKIT_SIP_PASSWORD)
    return `trunk "${trunk.name}" demands a digest password other than LIVEKIT_SIP_PASSWORD`;
  return undefined;
}

export function checkRule(
  rules: SIPDispatchRuleInfo[],
  trunk: SIPInboundTrunkInfo,
  e164: string,
  agentName: string | undefined,
  ruleName: string = DEFAULT_NAME,
): { hop: Hop; rule?: SIPDispatchRuleInfo } {
  const { covering: rule, excluding } = ruleFor(rules, trunk, e164, ruleName);
  const rerun = `rerun ${tool()} to create it (individual rule, room prefix "${DEFAULT_ROOM_PREFIX}"${agentName ? `, agent "${agentName}"` : ''})`;
  if (!rule) {
    const narrowed = excluding[0];
    if (narrowed)
      return {
        hop: {
          ...RULE_HOP,
          ok: false,
          detail:
            `rule "${narrowed.name || narrowed.sipDispatchRuleId}" does not cover ${e164}: its numbers filter holds only ${narrowed.numbers.join(', ')}, ` +
            `and no other rule covers trunk "${trunk.name}"; calls are rejected`,
          fix: `rerun ${tool()}: it adds ${e164} to the rule's numbers`,
        },
      };
    return {
      hop: { ...RULE_HOP, ok: false, detail: `no dispatch rule covers trunk "${trunk.name}" (${trunk.sipTrunkId}) for ${e164}; calls are rejected`, fix: rerun },
    };
  }

  const agents = agentsOf(rule);
  const label = `rule "${rule.name || rule.sipDispatchRuleId}"`;
  const fail = (detail: string, fix: string) => ({ hop: { ...RULE_HOP, ok: false, detail, fix }, rule });
  const r = rule.rule?.rule;
  if (r?.value && r.value.pin)
    return fail(`${label} asks every caller for a PIN before the call reaches a room`, `rerun ${tool()} to make it an open individual rule`);
  if (agentName && !agents.includes(agentName))
    return fail(
      `${label} ${agents.length ? `dispatches ${quoteList(agents)}` : 'names no agent'}, but AGENT_NAME is "${agentName}"`,
      `a worker that registers agent_name "${agentName}" joins only when the rule names it (explicit dispatch): ` +
        `rerun ${tool()} to set it on the rule, or clear AGENT_NAME if the worker registers no name`,
    );
  if (!agentName && agents.length)
    return fail(
      `${label} dispatches ${quoteList(agents)}, but AGENT_NAME is not set`,
      `a rule that names an agent dispatches only a worker registered with that name (explicit); an unnamed worker joins rooms ` +
        `only when the rule names none (automatic): set AGENT_NAME=${agents[0]} if the worker registers it, else rerun the wizard to clear it`,
    );
  const how = agentName ? `dispatches "${agentName}" (explicit dispatch)` : 'names no agent (automatic dispatch: any worker without agent_name)';
  const prefix = roomPrefixOf(rule);
  return { hop: { ...RULE_HOP, ok: true, detail: `${label} ${how}${prefix ? `, rooms "${prefix}…"` : ''}` }, rule };
}

export function agentsOf(rule: SIPDispatchRuleInfo): string[] {
  return (rule.roomConfig?.agents ?? []).map((a) => a.agentName).filter(Boolean);
}

function roomPrefixOf(rule: SIPDispatchRuleInfo): string | undefined {
  const r = rule.rule?.rule;
  if (r?.case === 'dispatchRuleIndividual') return r.value.roomPrefix || undefined;
  if (r?.case === 'dispatchRuleCallee') return r.value.roomPrefix || undefined;
  if (r?.case === 'dispatchRuleDirect') return r.value.roomName || undefined;
  return undefined;
}

const quoteList = (names: string[]) => names.map((n) => `"${n}"`).join(', ');

// Hops: LiveKit answers with this key; an inbound trunk holds the number exactly in E.164; a dispatch rule
// covers that trunk and dispatches the agent the worker registers (FACTS.md: a named worker is only
// dispatched explicitly, an unnamed one joins every room).
import type { SIPDispatchRuleInfo, SIPInboundTrunkInfo } from '@livekit/protocol';
import type { Values } from '../settings.js';
import { toE164 } from '../validate.js';
import { liveKitProblem, type LiveKitApi } from './livekit-api.js';
import type { Hop, LiveKitConn } from './types.js';

export const LIVEKIT_HOP = { id: 'livekit', title: 'LiveKit reachable, key valid' } as const;
export const TRUNK_HOP = { id: 'trunk', title: 'Inbound trunk holds the number' } as const;
export const RULE_HOP = { id: 'rule', title: 'Dispatch rule covers the trunk' } as const;

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

export async function liveKitHops(api: LiveKitApi, conn: LiveKitConn, values: Values): Promise<LiveKitFindings> {
  const e164 = values.PHONE_NUMBER!;
  const found: LiveKitFindings = { hops: [], ruleAgents: [], roomPrefix: DEFAULT_ROOM_PREFIX };
  const skip = (hop: { id: string; title: string }, why: string): Hop => ({ ...hop, ok: false, skipped: true, detail: why });

  let trunks: SIPInboundTrunkInfo[];
  try {
    trunks = await api.sip.listSipInboundTrunk();
  } catch (err) {
    const p = liveKitProblem(err, conn, 'listing inbound trunks');
    found.hops.push({ ...LIVEKIT_HOP, ok: false, detail: p.detail, fix: p.fix });
    found.hops.push(skip(TRUNK_HOP, 'needs LiveKit'), skip(RULE_HOP, 'needs LiveKit'));
    return found;
  }
  found.hops.push({ ...LIVEKIT_HOP, ok: true, detail: `${conn.url} accepted the key` });
  found.trunks = trunks;

  const trunkHop = checkTrunk(trunks, values);
  found.hops.push(trunkHop.hop);
  if (!trunkHop.trunk) {
    found.hops.push(skip(RULE_HOP, 'needs a trunk holding the number'));
    return found;
  }
  found.trunk = trunkHop.trunk;

  let rules: SIPDispatchRuleInfo[];
  try {
    rules = await api.sip.listSipDispatchRule();
  } catch (err) {
    const p = liveKitProblem(err, conn, 'listing dispatch rules');
    found.hops.push({ ...RULE_HOP, ok: false, detail: p.detail, fix: p.fix });
    return found;
  }
  found.rules = rules;
  const r = checkRule(rules, trunkHop.trunk, e164, values.AGENT_NAME);
  found.hops.push(r.hop);
  if (r.rule) {
    found.rule = r.rule;
    found.ruleAgents = agentsOf(r.rule);
    found.roomPrefix = roomPrefixOf(r.rule) ?? DEFAULT_ROOM_PREFIX;
  }
  return found;
}

export function checkTrunk(trunks: SIPInboundTrunkInfo[], values: Values): { hop: Hop; trunk?: SIPInboundTrunkInfo } {
  const e164 = values.PHONE_NUMBER!;
  const ourName = values.LIVEKIT_SIP_TRUNK_NAME ?? 'create-sip-inbound';
  const holding = trunks.filter((t) => t.numbers.includes(e164));
  const title = `Inbound trunk holds ${e164}`;
  const fail = (detail: string, fix: string) => ({ hop: { ...TRUNK_HOP, title, ok: false, detail, fix } });

  if (!holding.length) {
    // LiveKit compares the called number as text: "14244851544" or "+1 424 485 1544" on a trunk never matches.
    const near = trunks.find((t) => t.numbers.some((n) => n !== e164 && toE164(n) === e164));
    if (near) {
      const as = near.numbers.find((n) => toE164(n) === e164)!;
      return fail(
        `trunk "${near.name}" holds it as "${as}", and LiveKit matches the called number exactly`,
        `replace "${as}" with ${e164} on the trunk: rerun npx create-sip-inbound, or lk sip inbound update`,
      );
    }
    const ours = trunks.find((t) => t.name === ourName);
    const where = ours
      ? `trunk "${ours.name}" holds ${ours.numbers.length ? ours.numbers.join(', ') : 'no numbers'}`
      : `${trunks.length} inbound trunk${trunks.length === 1 ? '' : 's'}, none named "${ourName}"`;
    return fail(
      `no inbound trunk holds ${e164} (${where}); calls get "404 No trunk found"`,
      `rerun npx create-sip-inbound --number ${e164} to put the number on the trunk`,
    );
  }

  const trunk = holding.find((t) => t.name === ourName) ?? holding[0]!;
  const auth = authMismatch(trunk, values);
  if (auth) return { hop: { ...TRUNK_HOP, title, ok: false, detail: auth, fix: 'rerun npx create-sip-inbound so the trunk and .env (and so the SWML) carry the same digest username and password' }, trunk };
  const extra = holding.length > 1 ? `; ${holding.length} trunks hold it, calls may match the other` : '';
  const authNote = trunk.authUsername ? 'digest auth on' : 'no digest auth';
  return { hop: { ...TRUNK_HOP, title, ok: true, detail: `trunk "${trunk.name}" (${trunk.sipTrunkId}), ${authNote}${extra}` }, trunk };
}

/** The SWML answers the trunk's digest challenge with LIVEKIT_SIP_USERNAME/PASSWORD: they must be the trunk's. */
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
): { hop: Hop; rule?: SIPDispatchRuleInfo } {
  const covers = (r: SIPDispatchRuleInfo) =>
    (r.trunkIds.length === 0 || r.trunkIds.includes(trunk.sipTrunkId)) && ((r.numbers ?? []).length === 0 || r.numbers.includes(e164));
  // LiveKit prefers a rule that names the trunk over a catch-all one.
  const rule = rules.find((r) => covers(r) && r.trunkIds.length > 0) ?? rules.find(covers);
  if (!rule)
    return {
      hop: {
        ...RULE_HOP,
        ok: false,
        detail: `no dispatch rule covers trunk "${trunk.name}" (${trunk.sipTrunkId}); calls are rejected`,
        fix: `rerun npx create-sip-inbound to create it (individual rule, room prefix "${DEFAULT_ROOM_PREFIX}"${agentName ? `, agent "${agentName}"` : ''})`,
      },
    };

  const agents = agentsOf(rule);
  const label = `rule "${rule.name || rule.sipDispatchRuleId}"`;
  const fail = (detail: string, fix: string) => ({ hop: { ...RULE_HOP, ok: false, detail, fix }, rule });
  if (agentName && !agents.includes(agentName))
    return fail(
      `${label} ${agents.length ? `dispatches ${quoteList(agents)}` : 'names no agent'}, but AGENT_NAME is "${agentName}"`,
      `a worker that registers agent_name "${agentName}" joins only when the rule names it (explicit dispatch): ` +
        `rerun npx create-sip-inbound to set it on the rule, or clear AGENT_NAME if the worker registers no name`,
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

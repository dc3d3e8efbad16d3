// Reading LiveKit participants: which one is the agent, which one is the caller on our number.
// Participant kinds are ParticipantInfo_Kind from @livekit/protocol (SIP = 3, AGENT = 4); the protocol
// module is loaded with the SDK, so the check loads it lazily too.
import type { ParticipantInfo } from '@livekit/protocol';
import { toE164 } from '../validate.js';

export interface Kinds {
  SIP: number;
  AGENT: number;
}

let kinds: Kinds | undefined;

/** Call once before agentIn / newCallerOn (the check does, right after loading the SDK). */
export async function loadKinds(): Promise<Kinds> {
  const { ParticipantInfo_Kind: K } = await import('@livekit/protocol');
  return (kinds ??= { SIP: K.SIP, AGENT: K.AGENT });
}

function k(): Kinds {
  if (!kinds) throw new Error('loadKinds() was not called');
  return kinds;
}

/** LiveKit marks each agent participant with the name its worker registered (livekit-server agent/worker.go). */
export const AGENT_NAME_ATTRIBUTE = 'lk.agent_name';

/**
 * The agent in the room; with `agentName`, the one that name's dispatch put there. A room created for a named
 * dispatch is also given to every unnamed worker (FACTS.md), so any agent is no proof the named one came.
 */
export function agentIn(participants: ParticipantInfo[], agentName?: string): ParticipantInfo | undefined {
  const agents = participants.filter((p) => p.kind === k().AGENT);
  if (!agentName) return agents[0];
  const named = agents.find((p) => p.attributes[AGENT_NAME_ATTRIBUTE] === agentName);
  // A server that does not mark agents leaves only the kind to go by.
  return named ?? (agents.some((p) => AGENT_NAME_ATTRIBUTE in p.attributes) ? undefined : agents[0]);
}

/**
 * The SIP participant of a new call to our number: one whose call id was not there before (a rule may reuse a
 * room name), called on `e164`, or, when the rule hides phone numbers (no sip.trunkPhoneNumber), on our trunk.
 */
export function newCallerOn(participants: ParticipantInfo[], e164: string, trunkId: string | undefined, known: ReadonlySet<string>): ParticipantInfo | undefined {
  return participants.find((p) => {
    if (p.kind !== k().SIP || known.has(callIdOf(p))) return false;
    const called = p.attributes['sip.trunkPhoneNumber'];
    if (called) return called === e164 || toE164(called) === e164;
    return Boolean(trunkId && p.attributes['sip.trunkID'] === trunkId);
  });
}

/** A SIP participant's call id (sip.callID), else its identity. */
export function callIdOf(p: ParticipantInfo): string {
  return p.attributes['sip.callID'] || p.identity;
}

/** Milliseconds on the server's clock (joinedAtMs / creationTimeMs, else the seconds field); 0 when unknown. */
export function serverMs(ms: bigint | undefined, s: bigint | undefined): number {
  if (ms && ms > 0n) return Number(ms);
  if (s && s > 0n) return Number(s) * 1000;
  return 0;
}

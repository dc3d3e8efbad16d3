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

/** Call once before agentIn / callerOn (the check does, right after loading the SDK). */
export async function loadKinds(): Promise<Kinds> {
  const { ParticipantInfo_Kind: K } = await import('@livekit/protocol');
  return (kinds ??= { SIP: K.SIP, AGENT: K.AGENT });
}

function k(): Kinds {
  if (!kinds) throw new Error('loadKinds() was not called');
  return kinds;
}

export function agentIn(participants: ParticipantInfo[]): ParticipantInfo | undefined {
  return participants.find((p) => p.kind === k().AGENT);
}

/** The SIP participant of a call to `e164` (attribute sip.trunkPhoneNumber, FACTS.md). */
export function callerOn(participants: ParticipantInfo[], e164: string): ParticipantInfo | undefined {
  return participants.find((p) => {
    if (p.kind !== k().SIP) return false;
    const called = p.attributes['sip.trunkPhoneNumber'] ?? '';
    return called === e164 || toE164(called) === e164;
  });
}

/** Milliseconds on the server's clock (joinedAtMs / creationTimeMs, else the seconds field); 0 when unknown. */
export function serverMs(ms: bigint | undefined, s: bigint | undefined): number {
  if (ms && ms > 0n) return Number(ms);
  if (s && s > 0n) return Number(s) * 1000;
  return 0;
}

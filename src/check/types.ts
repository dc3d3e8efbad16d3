// The shape of a check report: what `check --json` prints and what the wizard reads.

/** One hop of the call path. A skipped hop did not run (a prerequisite failed, or it is not configured): it is not a failure. */
export interface Hop {
  id: string;
  title: string;
  ok: boolean;
  /** What was found, in one line. */
  detail?: string;
  /** What to do about a failure, in one line. */
  fix?: string;
  skipped?: boolean;
}

export interface ProbeResult {
  ok: boolean;
  skipped?: boolean;
  /** The agent name dispatched; absent for automatic dispatch. */
  agentName?: string;
  room?: string;
  /** Milliseconds from the dispatch until an agent was in the room. */
  joinedMs?: number;
  detail: string;
  fix?: string;
}

export interface LiveResult {
  ok: boolean;
  skipped?: boolean;
  number: string;
  room?: string;
  /** The caller's number (sip.phoneNumber). */
  caller?: string;
  /** Milliseconds from the room's creation until the SIP participant joined. */
  sipJoinedMs?: number;
  /** Milliseconds from the room's creation until an agent joined. */
  agentJoinedMs?: number;
  /** The call ended (room or SIP participant gone) before the watch did. */
  ended?: boolean;
  /** The agent's log of the call: found, not found, no interactions table, or not looked for. */
  interaction?: 'found' | 'not-found' | 'no-table' | 'not-checked';
  detail: string;
  fix?: string;
}

export interface CheckReport {
  ok: boolean;
  hops: Hop[];
  probe?: ProbeResult;
  live?: LiveResult;
  /** The proven call (`--call`). */
  call?: CallResult;
}

/** The LiveKit connection the check uses (the same shape the services take). */
export interface LiveKitConn {
  url: string;
  apiKey: string;
  apiSecret: string;
}

/** Host name → addresses; rejects when the name does not resolve. node:dns/promises lookup by default. */
export type Resolver = (host: string) => Promise<unknown>;

/** Which leg `check --call` dials: the full path through SignalWire, or LiveKit's SIP URI alone. */
export type Leg = 'full' | 'livekit';

export interface CallStep {
  title: string;
  ok: boolean;
  skipped?: boolean;
  /** Milliseconds after the dial request was sent. */
  atMs?: number;
  detail?: string;
  fix?: string;
}

export interface CallResult {
  ok: boolean;
  skipped?: boolean;
  leg?: Leg;
  from?: string;
  to?: string;
  callId?: string;
  /** The check sent calling.end (or SignalWire reported the call over). */
  ended?: boolean;
  steps: CallStep[];
  detail: string;
  fix?: string;
}

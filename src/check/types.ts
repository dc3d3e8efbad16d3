// The shape of a check report: what `check --json` prints and what the wizard reads.

import type { Hop } from '../hop.js';
import type { Leg } from '../carriers/carrier.js';
export type { Hop };

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
  /** The call's sip.callID. */
  callId?: string;
  /** The rule hides phone numbers (hidePhoneNumber): the call was known by our trunk, and the agent sees no number. */
  numbersHidden?: boolean;
  /** The SIP participant's sip.callStatus when last seen (ringing until LiveKit answers, then active). */
  callStatus?: string;
  /** LiveKit SIP answered the caller (sip.callStatus became active while watched). */
  answered?: boolean;
  /** Milliseconds from the call being seen in LiveKit until it was seen answered (both on this machine's clock). */
  answeredMs?: number;
  /** What the agent reported under the convention (docs/agent-report.md); absent when it reports nothing. */
  agentReport?: AgentReport;
  /** The agent's interactions row for the call, when found. */
  interactionRow?: import('../services/supabase.js').InteractionSeen;
  /** The success criteria the agent's report shows: settings, greeting, log. */
  proof?: CallStep[];
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

export type { Leg };

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
  /** The check ended the call (or the carrier reported it over). */
  ended?: boolean;
  steps: CallStep[];
  detail: string;
  fix?: string;
}

/** The agent's participant attributes under the convention (version 1). */
export interface AgentReport {
  version: string;
  callId?: string;
  /** The number whose settings the agent loaded (E.164), empty when it knew none. */
  number?: string;
  settings?: 'row' | 'defaults';
  /** Why defaults: "no row", "row inactive", "database unreachable: …", "table missing", "number hidden". */
  reason?: string;
  callType?: string;
  stt?: string;
  llm?: string;
  tts?: string;
  fallback?: string;
  greeting?: string;
  /** Epoch milliseconds when the greeting's audio started. */
  greetingAt?: number;
}

// The one shape every carrier folder provides. The steps, checks and commands speak to a number's carrier only
// through this, so adding a carrier is one folder under src/carriers/ and one line in src/carriers/index.ts.
import type { Change } from '../changes.js';
import type { Values } from '../settings.js';

/** What LiveKit's inbound trunk must accept from this carrier: a digest login, or the carrier's addresses. */
export type TrunkNeeds = { kind: 'login' } | { kind: 'addresses'; addresses: readonly string[] };

/**
 * The optional part for `check --call`: the carrier places a real call to the number, which then runs its route
 * into LiveKit SIP. A carrier without it is not offered the test call.
 */
export interface CarrierTestCall<Conn> {
  /** The numbers this account may place a call from (its own). */
  callers(conn: Conn): Promise<readonly string[]>;
  /** Places a call that says `line`, stays up at most `seconds`, then hangs up; the carrier's call id. */
  dial(conn: Conn, p: { from: string; to: string; line: string; seconds: number; ringSec: number }): Promise<string>;
  /** Ends the call; one already over is fine. */
  end(conn: Conn, id: string): Promise<void>;
  /** The call's status as the carrier records it (queued, ringing, in-progress, completed, failed, busy, no-answer…). */
  status(conn: Conn, id: string): Promise<string | null>;
}

export interface Carrier<Conn, State, Target> {
  /** The setting's value (CARRIER=…) and the name people read. */
  readonly id: string;
  readonly label: string;
  /** The connection from the settings, or undefined while a credential is missing. */
  conn(values: Values, timeoutMs?: number): Conn | undefined;
  /** Where this number's calls should go, from the settings alone (no network). */
  target(values: Values): Target;
  /** One read of the number and its route; a wrong credential or a number not in the account throws a clear error. */
  observe(conn: Conn, e164: string, target: Target): Promise<State>;
  /** The changes that route the number to LiveKit SIP, old → new; none when it already does (rerun converges). */
  plan(conn: Conn, e164: string, target: Target, state: State): Change[];
  /** The changes that stop the number routing to LiveKit on remove; none when it no longer does. */
  unroute(conn: Conn, e164: string, state: State): Change[];
  /** The account's numbers (E.164), for test calls and for finding the number. */
  listNumbers(conn: Conn): Promise<readonly string[]>;
  /** What the LiveKit trunk needs to accept this carrier's calls. */
  trunkNeeds(values: Values): TrunkNeeds;
  /** `check --call`, where this carrier has it here (SignalWire's test call is check/call.ts, by name). */
  readonly testCall?: CarrierTestCall<Conn>;
}

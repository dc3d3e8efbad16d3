// The one shape every carrier folder provides. The steps, checks and commands speak to a number's carrier only
// through this, so adding a carrier is one folder under src/carriers/ and one line in src/carriers/index.ts.
import type { Change } from '../changes.js';
import type { Hop } from '../hop.js';
import type { Values } from '../settings.js';

/** What LiveKit's inbound trunk must accept from this carrier: a digest login, or the carrier's addresses. */
export type TrunkNeeds = { kind: 'login' } | { kind: 'addresses'; addresses: readonly string[] };

/** Which leg `check --call` dials: the full path through the carrier's route, or LiveKit's SIP URI alone. */
export type Leg = 'full' | 'livekit';

/** Where a test call goes and from where, decided before anything is dialled. */
export interface CallPlan {
  leg: Leg;
  from: string;
  /** Our number, or LiveKit's SIP URI for the LiveKit leg alone. */
  to: string;
  /** The digest login the LiveKit leg answers LiveKit's challenge with. */
  login?: { username: string; password: string };
}

/** Why no test call is placed, in one line, and what to do; thrown by a plan before anything is dialled. */
export class CallRefused extends Error {
  constructor(
    readonly detail: string,
    readonly fix: string,
  ) {
    super(`${detail}: ${fix}`);
  }
}

/**
 * The optional part for `check --call`: the carrier places a real call to the number, which then runs its route
 * into LiveKit SIP. A carrier without it is not offered the test call.
 */
export interface CarrierTestCall<Conn> {
  /** The numbers this account may place a call from (its own). */
  callers(conn: Conn): Promise<readonly string[]>;
  /**
   * Where the call goes, or CallRefused. Without it: the full path, from --from (one of `callers`) or another
   * number of the account, and no LiveKit leg alone.
   */
  plan?(conn: Conn, values: Values, o: { leg?: Leg | undefined; from?: string | undefined }): Promise<CallPlan>;
  /** Places a call that says `line`, stays up at most `seconds`, then hangs up; the carrier's call id. */
  dial(conn: Conn, p: { from: string; to: string; line: string; seconds: number; ringSec: number; login?: CallPlan['login'] }): Promise<string>;
  /** Ends the call; one already over is fine. */
  end(conn: Conn, id: string): Promise<void>;
  /** The call's status as the carrier records it (queued, ringing, in-progress, completed, failed, busy, no-answer…); null while it has none yet. */
  status(conn: Conn, id: string): Promise<string | null>;
  /** Who makes the leg to LiveKit, for the cost statement ("our number", "its trunk"). */
  readonly via: string;
  /** The carrier's own step between the dial and LiveKit, when it shows one (SignalWire: the number ran our SWML). */
  readonly routeTitle?: string;
  /** The request that ends a call, named where the report says the check ended it (SignalWire: calling.end). */
  readonly endName?: string;
}

/** A failed call in the carrier's words: the SIP answer it recorded, one cause and one fix. */
export interface CallExplanation {
  /** The SIP code the explanation rests on; undefined when nothing answered. */
  code?: number | undefined;
  cause: string;
  fix: string;
  /**
   * Where the call stopped: at LiveKit (the default: the carrier's route delivered it), on the carrier's route
   * (which then failed at LiveKit too), or inside the carrier (it never left, so LiveKit's steps did not run).
   */
  stopped?: 'livekit' | 'route' | 'carrier';
}

/** What `explain` is told of the call: the test call's id when there is one (a live call has none), and since when. */
export interface CallToExplain {
  id?: string | undefined;
  since: Date;
  e164: string;
  sipDomain?: string | undefined;
  leg?: Leg | undefined;
  /** The carrier's last status for the call, when the check followed it. */
  status?: string | null | undefined;
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
  /**
   * `check`'s hops for the number's route, the route itself first (a skip there leaves the call path unproven);
   * `observed`: the number's state already read. Without it, one hop: the number routes when the plan to route it
   * is empty (check/carrier-hop.ts).
   */
  hops?(values: Values, e164: string | undefined, observed?: Promise<State | undefined>): Promise<Hop[]>;
  /** `check --call`, where this carrier places test calls. */
  readonly testCall?: CarrierTestCall<Conn>;
  /**
   * Why a call did not reach LiveKit, read from the carrier's own record of it (SIP code → cause → fix);
   * undefined when that record says nothing yet.
   */
  explain?(conn: Conn, call: CallToExplain): Promise<CallExplanation | undefined>;
}

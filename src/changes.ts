// Desired state vs observed state becomes a list of changes; the wizard shows them, asks once, then applies in order.
import { stopRequested, whileApplying, type StopSignal } from './signals.js';

export type Target = 'env' | 'livekit' | 'signalwire' | 'carrier' | 'database' | 'files';

export interface Change {
  target: Target;
  /** One line for the plan, secrets masked, e.g. "trunk create-sip-inbound: add +14244851544". */
  summary: string;
  /** Lines the plan shows under the summary (one per .env key, say); the apply line shows the summary alone. */
  detail?: string[];
  /** Performs the change. Throws ServiceError on failure. */
  apply: () => Promise<void>;
  /**
   * Set on the LiveKit trunk change that switches its SIP digest login: 'set' turns it on or changes it,
   * 'clear' turns it off. The SWML has to carry the same login, so these changes are ordered around it.
   */
  login?: 'set' | 'clear';
  /** Runs with nothing beside it (it may stop to ask the person something). */
  alone?: boolean;
}

export interface ApplyReport {
  done: Change[];
  failed?: { change: Change; error: unknown };
  /** A signal asked the run to stop; nothing was started after it. */
  stopped?: StopSignal;
  notDone: Change[];
}

/**
 * The order that never leaves the trunk and the SWML disagreeing longer than it must. A login that is
 * set or changed goes to the trunk last, right after the SWML (SignalWire) that sends it: before that
 * the trunk still takes the SWML's current login, and a failure before the trunk changes leaves calls
 * working. A login that is cleared goes first: a trunk without auth takes a SWML that still sends one.
 */
export function orderForLogin(changes: Change[]): Change[] {
  const first = changes.filter((c) => c.login === 'clear');
  const last = changes.filter((c) => c.login === 'set');
  const rest = changes.filter((c) => !c.login);
  if (!last.length) return [...first, ...rest];
  // SignalWire right before the trunk, so that the window between them is one request long.
  const swml = rest.filter((c) => c.target === 'signalwire');
  return [...first, ...rest.filter((c) => c.target !== 'signalwire'), ...swml, ...last];
}

/**
 * Whether inbound calls fail with things as `report` left them: the SWML already sends a new login that
 * the trunk does not take yet.
 */
export function callsFail(report: Pick<ApplyReport, 'done'> & { pending: Change[] }): boolean {
  const loginPending = report.pending.some((c) => c.login === 'set');
  return loginPending && report.done.some((c) => c.target === 'signalwire');
}

/**
 * Whether `later` must wait for `earlier` (earlier in the plan's order) when changes run side by side: one
 * service's changes in order (a rule needs its trunk, a number its script); everything after .env (the login
 * is saved before any service takes it); a login change and SignalWire's in the order orderForLogin gave
 * them; and a change that must run alone (it may stop to ask) with everything.
 */
function mustWait(later: Change, earlier: Change): boolean {
  if (later.alone || earlier.alone || earlier.target === 'env' || later.target === earlier.target) return true;
  return Boolean(later.login || earlier.login) && (later.target === 'signalwire' || earlier.target === 'signalwire');
}

/**
 * Runs the changes in order and stops at the first failure, or before the next change once a signal asked
 * to stop, reporting what was and was not done so that a rerun can finish the job. With `sideBySide`,
 * changes that need not wait for each other (mustWait) run at once, each service's requests still in order;
 * after a failure or a signal nothing more starts, and what is running finishes. `onStep` lets the caller
 * show progress; `onStop` hears a signal's request while a change is in flight.
 */
export async function applyPlan(
  changes: Change[],
  onStep: (change: Change, phase: 'start' | 'done' | 'failed', error?: unknown) => void = () => {},
  onStop?: (signal: StopSignal) => void,
  opts: { sideBySide?: boolean } = {},
): Promise<ApplyReport> {
  return whileApplying(async () => {
    const done: Change[] = [];
    let failed: ApplyReport['failed'];
    let stopped: StopSignal | undefined;
    const finished = new Map<Change, Promise<boolean>>();
    const run = async (change: Change, after: Change[]): Promise<boolean> => {
      const ok = await Promise.all(after.map((c) => finished.get(c)!));
      if (!ok.every(Boolean) || failed || (stopped ??= stopRequested())) return false;
      onStep(change, 'start');
      try {
        await change.apply();
      } catch (error) {
        failed ??= { change, error };
        onStep(change, 'failed', error);
        return false;
      }
      done.push(change);
      onStep(change, 'done');
      return true;
    };
    for (const [i, change] of changes.entries()) {
      const earlier = changes.slice(0, i);
      finished.set(change, run(change, opts.sideBySide ? earlier.filter((e) => mustWait(change, e)) : earlier));
    }
    await Promise.all(finished.values());
    const notDone = changes.filter((c) => !done.includes(c) && c !== failed?.change);
    if (failed) return { done, failed, notDone };
    stopped ??= stopRequested();
    return stopped ? { done, stopped, notDone } : { done, notDone };
  }, onStop);
}

// Desired state vs observed state becomes a list of changes; the wizard shows them, asks once, then applies in order.
import { stopRequested, whileApplying, type StopSignal } from './signals.js';

export type Target = 'env' | 'livekit' | 'signalwire' | 'carrier' | 'database' | 'files';

export interface Change {
  target: Target;
  /** One line for the plan, secrets masked, e.g. "trunk create-sip-inbound: add +14244851544". */
  summary: string;
  /** Performs the change. Throws ServiceError on failure. */
  apply: () => Promise<void>;
  /**
   * Set on the LiveKit trunk change that switches its SIP digest login: 'set' turns it on or changes it,
   * 'clear' turns it off. The SWML has to carry the same login, so these changes are ordered around it.
   */
  login?: 'set' | 'clear';
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
 * Runs the changes in order and stops at the first failure, or before the next change once a signal
 * asked to stop, reporting what was and was not done so that a rerun can finish the job. `onStep`
 * lets the caller show progress; `onStop` hears a signal's request while a change is in flight.
 */
export async function applyPlan(
  changes: Change[],
  onStep: (change: Change, phase: 'start' | 'done' | 'failed', error?: unknown) => void = () => {},
  onStop?: (signal: StopSignal) => void,
): Promise<ApplyReport> {
  const done: Change[] = [];
  return whileApplying(async () => {
    for (const [i, change] of changes.entries()) {
      const stopped = stopRequested();
      if (stopped) return { done, stopped, notDone: changes.slice(i) };
      onStep(change, 'start');
      try {
        await change.apply();
      } catch (error) {
        onStep(change, 'failed', error);
        return { done, failed: { change, error }, notDone: changes.slice(i + 1) };
      }
      done.push(change);
      onStep(change, 'done');
    }
    const stopped = stopRequested();
    return stopped ? { done, stopped, notDone: [] } : { done, notDone: [] };
  }, onStop);
}

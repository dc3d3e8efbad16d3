// Desired state vs observed state becomes a list of changes; the wizard shows them, asks once, then applies in order.

export type Target = 'env' | 'livekit' | 'signalwire' | 'database';

export interface Change {
  target: Target;
  /** One line for the plan, secrets masked, e.g. "trunk create-sip-inbound: add +14244851544". */
  summary: string;
  /** Performs the change. Throws ServiceError on failure. */
  apply: () => Promise<void>;
}

export interface ApplyReport {
  done: Change[];
  failed?: { change: Change; error: unknown };
  notDone: Change[];
}

/**
 * Runs the changes in order and stops at the first failure, reporting what was and was not done
 * so that a rerun can finish the job. `onStep` lets the caller show progress.
 */
export async function applyPlan(
  changes: Change[],
  onStep: (change: Change, phase: 'start' | 'done' | 'failed', error?: unknown) => void = () => {},
): Promise<ApplyReport> {
  const done: Change[] = [];
  for (const [i, change] of changes.entries()) {
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
  return { done, notDone: [] };
}

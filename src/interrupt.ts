// Ctrl-C, SIGINT, SIGTERM and SIGHUP end a run the same way at any phase: the cursor shown again, one line
// saying what state things are in, exit 128 + the signal's number (130, 143, 129). Our handlers are
// installed first and end the process before clack's or ora's own (which would print "Canceled" and let
// the run go on). While a change is being applied, the first signal lets that one change finish and
// stops before the next, so the report of what was done is exact; a second signal ends it at once.

type Phase = 'asking' | 'applying' | 'applied';
export const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT;

const MESSAGES: Record<Phase, string> = {
  asking: 'Cancelled: nothing was changed.',
  applying: 'Stopped while applying the plan: run it again to finish (it only does what is still missing).',
  applied: 'Stopped: the setup was applied; the check did not finish (run: create-sip-inbound check).',
};

let phase: Phase = 'asking';
let note: string | undefined;
let openPrompts = 0;
let applying = false;
let requested: StopSignal | undefined;
const stopListeners = new Set<(signal: StopSignal) => void>();
const cleanups = new Set<() => void>();
let installed = false;

export function setPhase(p: Phase): void {
  phase = p;
}

/** A sentence added to the stop message, e.g. that inbound calls fail until the rerun. */
export function setStopNote(text: string | undefined): void {
  note = text;
}

/** What an interrupt now would leave behind, in one sentence (or two). */
export function stopMessage(): string {
  return note ? `${MESSAGES[phase]} ${note}` : MESSAGES[phase];
}

export function promptOpened(): void {
  openPrompts++;
}
export function promptClosed(): void {
  openPrompts = Math.max(0, openPrompts - 1);
}

/** Something to undo on the terminal before the last line (a spinner to clear). Returns its removal. */
export function onCleanup(fn: () => void): () => void {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Ends the process as an interrupt: terminal restored, one line on stderr, 128 + the signal's number. */
export function interrupted(signal: StopSignal = 'SIGINT'): never {
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      // the terminal may be gone (SIGHUP); the exit code still tells
    }
  }
  try {
    process.stderr.write(`\x1b[?25h\n✖ ${stopMessage()}\n`);
  } catch {
    // as above
  }
  process.exit(SIGNAL_EXIT[signal]);
}

function onSignal(signal: StopSignal): void {
  // After a hang-up the terminal may refuse writes; that must not turn into a crash with another code.
  if (signal === 'SIGHUP') for (const s of [process.stdout, process.stderr]) s.on('error', () => {});
  if (phase === 'applying' && applying && openPrompts === 0 && !requested) {
    requested = signal;
    for (const fn of stopListeners) fn(signal);
    return;
  }
  interrupted(requested ?? signal);
}

/** Installs the handlers once, ahead of any other listener. Every command but `serve` (it drains) uses them. */
export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of Object.keys(SIGNAL_EXIT) as StopSignal[]) process.prependListener(signal, () => onSignal(signal));
}

/** The signal that asked the apply loop to stop, if one did. */
export function stopRequested(): StopSignal | undefined {
  return requested;
}

/** Marks the span in which a signal waits for the change in flight; `onStop` hears the request. */
export async function whileApplying<T>(work: () => Promise<T>, onStop?: (signal: StopSignal) => void): Promise<T> {
  applying = true;
  if (onStop) stopListeners.add(onStop);
  try {
    return await work();
  } finally {
    applying = false;
    if (onStop) stopListeners.delete(onStop);
  }
}

/**
 * Ctrl-C while a clack spinner runs: the spinner puts the terminal in raw mode and answers Ctrl-C with
 * exit code 0 itself. Reading the key first makes it an interrupt like any other.
 */
export function watchCtrlC(): () => void {
  const stdin = process.stdin;
  if (!stdin.isTTY) return () => {};
  const onData = (chunk: Buffer | string) => {
    const first = typeof chunk === 'string' ? chunk.charCodeAt(0) : chunk[0];
    if (first === 0x03) onSignal('SIGINT');
  };
  stdin.prependListener('data', onData);
  return () => stdin.removeListener('data', onData);
}

/** While `work` runs, an exit that clack's spinner forces (Escape) becomes an interrupt too. */
export async function guardSpinnerExit<T>(work: () => Promise<T>): Promise<T> {
  const onExit = (code: number) => {
    if (code !== 0) return;
    process.exitCode = SIGNAL_EXIT.SIGINT;
    process.stderr.write(`\x1b[?25h\n✖ ${stopMessage()}\n`);
  };
  process.on('exit', onExit);
  try {
    return await work();
  } finally {
    process.removeListener('exit', onExit);
  }
}

/** The wizard's start: signals handled (if the CLI has not already), phase back to asking. */
export function onInterrupt(): { dispose: () => void } {
  installSignalHandlers();
  phase = 'asking';
  note = undefined;
  return { dispose: () => {} };
}

/** For tests in one process: back to the start of a run. */
export function resetInterrupt(): void {
  phase = 'asking';
  note = undefined;
  openPrompts = 0;
  applying = false;
  requested = undefined;
}

// Ctrl-C outside a prompt (prompts turn it into CancelledError themselves): restore the terminal, say what
// state things are in, exit 130. A clack spinner reads Ctrl-C itself and exits 0; spin() routes it here.

type Phase = 'asking' | 'applying' | 'applied';
let phase: Phase = 'asking';

const MESSAGES: Record<Phase, string> = {
  asking: '✖ Cancelled: nothing was changed.',
  applying: '✖ Stopped while applying the plan: run it again to finish (it only does what is still missing).',
  applied: '✖ Stopped: the setup was applied; the check did not finish (run: create-sip-inbound check).',
};

export function setPhase(p: Phase): void {
  phase = p;
}

/** Ends the process as an interrupt: cursor shown, one line on stderr, exit code 130. */
export function interrupted(): never {
  process.stderr.write(`\x1b[?25h\n${MESSAGES[phase]}\n`);
  process.exit(130);
}

/** While `work` runs, an exit that clack's spinner forces on Ctrl-C becomes an interrupt. */
export async function guardSpinnerExit<T>(work: () => Promise<T>): Promise<T> {
  const onExit = (code: number) => {
    if (code !== 0) return;
    process.exitCode = 130;
    process.stderr.write(`\x1b[?25h\n${MESSAGES[phase]}\n`);
  };
  process.on('exit', onExit);
  try {
    return await work();
  } finally {
    process.removeListener('exit', onExit);
  }
}

export function onInterrupt(): { dispose: () => void } {
  phase = 'asking';
  const handler = () => interrupted();
  process.on('SIGINT', handler);
  return { dispose: () => process.removeListener('SIGINT', handler) };
}

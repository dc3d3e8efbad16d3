// A clack spinner around one live call, or nothing at all when no prompts are shown.
import { clack } from '../ui.js';
import { promptsReplaced } from './ask.js';
import { guardSpinnerExit, onCleanup, watchCtrlC } from '../signals.js';
import type { Session } from './session.js';

/** With `quiet`, a success leaves no line behind (for reads that are only a means to the plan). */
export async function spin<T>(s: Session, message: string, work: () => Promise<T>, opts: { quiet?: boolean } = {}): Promise<T> {
  // A scripted prompter (the step tests) gets no spinner: its frames would land in the test runner's stdout.
  if (!s.prompts || promptsReplaced()) return work();
  const c = await clack();
  const sp = c.spinner();
  const label = message.replace(/…$/, '');
  sp.start(message);
  // An interrupt clears the spinner first: left running, clack would print its own line at exit.
  const dropCleanup = onCleanup(() => sp.clear());
  const unwatch = watchCtrlC();
  try {
    const r = await guardSpinnerExit(work);
    if (opts.quiet) sp.clear();
    else sp.stop(`${label}: ok`);
    return r;
  } catch (err) {
    sp.error(`${label}: failed`);
    throw err;
  } finally {
    unwatch();
    dropCleanup();
  }
}

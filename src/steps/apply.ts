// Step 5: one confirmation, then the changes in order with progress. On a failure or a signal it stops
// and says what was done and what was not, and whether inbound calls work meanwhile; a rerun picks up
// from there.
import { CancelledError } from '../errors.js';
import { carrierNamed } from '../carriers/index.js';
import { carrierOf } from '../config.js';
import type { ApplyReport, Change } from '../changes.js';
import { applyPlan } from '../changes.js';
import { bold, clack, dim, err, noColor, out, print, yellow } from '../ui.js';
import { shown } from '../redact.js';
import { termWidth, wrapWords } from '../wrap.js';
import { confirm } from './ask.js';
import { SIGNAL_EXIT, setStopNote, stopMessage } from '../signals.js';
import type { Session } from './session.js';

/** The changes (each with its detail lines), then `notes` (where a value came from), one line each. */
export function showPlan(s: Session, changes: Change[], notes: string[] = []): void {
  const lines = changes.length
    ? changes.flatMap((c) => [`  • ${c.summary}`, ...(c.detail ?? []).map((d) => `      ${d}`)])
    : ['  Nothing to change: everything is already set up.'];
  lines.push(...notes.flatMap((n) => n.split('\n')).map((n) => `  ${n}`));
  out('');
  out(bold(changes.length ? `The plan (${changes.length} change${changes.length > 1 ? 's' : ''}):` : 'The plan:'));
  out(lines.join('\n'));
  out('');
}

/** Returns false when the person declines. */
export async function confirmPlan(s: Session, changes: Change[]): Promise<boolean> {
  if (!changes.length || !s.prompts || s.ctx.yes) return true;
  return confirm('Apply these changes?');
}

/**
 * A database change that finds columns missing has written nothing: show the ALTER lines, wait for the
 * person to run them, and try again (without prompts, the error names them and the run ends).
 */
function withColumnRetry(s: Session, change: Change, pauseProgress: () => void): Change {
  if (change.target !== 'database' || !s.prompts) return change;
  return {
    ...change,
    // It may stop to ask: nothing runs beside it, so nothing prints over the question.
    alone: true,
    apply: async () => {
      const { MissingColumnsError } = await import('../services/supabase.js');
      for (;;) {
        try {
          return await change.apply();
        } catch (err) {
          if (!(err instanceof MissingColumnsError)) throw err;
          pauseProgress();
          const c = await clack();
          c.log.warn(`The table lacks ${err.columns.join(', ')}; nothing was written. Run this in Supabase → SQL Editor:`);
          print(`\n${err.sql}\n`);
          if (!(await confirm('Done? Try again'))) throw err;
        }
      }
    },
  };
}

/**
 * In words, whether inbound calls fail with things as they stand, and what ends it; undefined when they
 * work. `pending` holds the changes not (or not surely) applied. Only a carrier whose route sends the trunk's
 * login (its setup plan) has one to fall behind.
 */
export function callsNote(s: Session, done: Change[], pending: Change[]): string | undefined {
  const login = [...done, ...pending].find((c) => c.login === 'set');
  if (!login) return undefined;
  return carrierNamed(carrierOf(s.values)).setup?.callsNote(s.values, { done, trunkPending: pending.includes(login) });
}

export async function apply(s: Session, planned: Change[]): Promise<void> {
  // A spinner only on a terminal; otherwise one plain line a change (logs, CI, --json on stderr).
  const fancy = Boolean(process.stderr.isTTY) && !s.ctx.json;
  const { default: ora } = fancy ? await import('ora') : { default: undefined };
  let spinner: ReturnType<NonNullable<typeof ora>> | undefined;
  const changes = planned.map((c) => withColumnRetry(s, c, () => spinner?.stop()));
  const done: Change[] = [];
  // Changes of different services run side by side: the spinner shows the oldest still running, and each
  // one that ends leaves its line.
  const running: Change[] = [];
  let stopping = '';
  const spin = () => {
    spinner?.stop();
    // ora writes on its own: its text goes through the one redactor, as every other line does, so a value is
    // masked on the apply line exactly as on the plan's.
    spinner = running.length && ora
      ? ora({ text: oraText(`${running[0]!.summary}${stopping}`), stream: process.stderr, ...(noColor() ? { color: false as const } : {}) }).start()
      : undefined;
  };
  const report = await applyPlan(
    changes,
    (change, phase) => {
      if (phase === 'done') done.push(change);
      // Kept current so that an interrupt at any moment says whether calls work.
      setStopNote(callsNote(s, done, changes.filter((c) => !done.includes(c))));
      if (phase === 'start') running.push(change);
      else running.splice(running.indexOf(change), 1);
      if (!ora) {
        if (phase !== 'start') out(`${phase === 'done' ? '✔' : '✖'} ${change.summary}`);
        return;
      }
      if (phase !== 'start') {
        spinner?.stop();
        spinner = ora({ text: oraText(change.summary), stream: process.stderr, ...(noColor() ? { color: false as const } : {}) });
        if (phase === 'done') spinner.succeed();
        else spinner.fail(oraText(`${change.summary} ${dim('(failed)')}`));
      }
      spin();
    },
    () => {
      stopping = ` ${dim('(stopping after what is running)')}`;
      if (spinner) spinner.text = `${spinner.text}${stopping}`;
    },
    { sideBySide: true },
  );
  if (!report.failed && !report.stopped) {
    const note = callsNote(s, report.done, []);
    if (note) s.notes.push(note);
    return;
  }
  const calls = await explain(s, report);
  if (report.failed) {
    const error = report.failed.error;
    // The last line is what people read: it says that calls are down too.
    if (calls && error instanceof Error) error.message = `${error.message.replace(/\.?$/, '.')} ${calls}`;
    throw error;
  }
  throw new CancelledError(stopMessage(), SIGNAL_EXIT[report.stopped!]);
}

/** ora's text after its 2-column symbol: redacted like every other line, and wrapped between words. */
function oraText(text: string): string {
  return wrapWords(shown(text), termWidth(process.stderr) - 2, '  ').join('\n');
}

async function explain(s: Session, report: ApplyReport): Promise<string | undefined> {
  const pending = [...(report.failed ? [report.failed.change] : []), ...report.notDone];
  const done = report.done.map((d) => `  ✔ ${d.summary}`).join('\n') || '  (nothing)';
  const notDone = pending.map((d) => `  ✖ ${d.summary}`).join('\n') || '  (nothing)';
  const calls = callsNote(s, report.done, pending);
  const next = report.failed ? 'Fix the cause below and run again: it picks up where this stopped.' : 'Run it again to finish: it picks up where this stopped.';
  const text = `Done:\n${done}\nNot done:\n${notDone}\n${calls ? `${yellow(calls)}\n` : ''}${next}`;
  setStopNote(report.failed ? undefined : calls);
  if (s.prompts) (await clack()).log.message(text);
  else err(text);
  return calls;
}

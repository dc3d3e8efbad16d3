// Step 5: one confirmation, then the changes in order with progress. On a failure it stops and says
// what was done and what was not; a rerun picks up from there.
import type { Change } from '../plan.js';
import { applyPlan } from '../plan.js';
import { bold, clack, dim, out, print } from '../ui.js';
import { confirm } from './ask.js';
import type { Session } from './session.js';

export function showPlan(s: Session, changes: Change[]): void {
  const lines = changes.length ? changes.map((c) => `  • ${c.summary}`) : ['  Nothing to change: everything is already set up.'];
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

export async function apply(s: Session, planned: Change[]): Promise<void> {
  // A spinner only on a terminal; otherwise one plain line a change (logs, CI, --json on stderr).
  const fancy = Boolean(process.stderr.isTTY) && !s.ctx.json;
  const { default: ora } = fancy ? await import('ora') : { default: undefined };
  let spinner: ReturnType<NonNullable<typeof ora>> | undefined;
  const changes = planned.map((c) => withColumnRetry(s, c, () => spinner?.stop()));
  const report = await applyPlan(changes, (change, phase) => {
    if (ora) {
      if (phase === 'start') spinner = ora({ text: change.summary, stream: process.stderr }).start();
      else if (phase === 'done') spinner?.succeed();
      else spinner?.fail(`${change.summary} ${dim('(failed)')}`);
    } else if (phase !== 'start') out(`${phase === 'done' ? '✔' : '✖'} ${change.summary}`);
  });
  if (!report.failed) return;
  const c = s.prompts ? await clack() : undefined;
  const done = report.done.map((d) => `  ✔ ${d.summary}`).join('\n') || '  (nothing)';
  const notDone = [report.failed.change, ...report.notDone].map((d) => `  ✖ ${d.summary}`).join('\n');
  const text = `Done:\n${done}\nNot done:\n${notDone}\nFix the cause below and run again: it picks up where this stopped.`;
  if (c) c.log.message(text);
  else process.stderr.write(`${text}\n`);
  throw report.failed.error;
}

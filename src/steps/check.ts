// Step 7: the test-call check, as the last step of the setup; then, when it passed, the offer to watch
// a real call.
import { confirm } from './ask.js';
import type { Observed } from '../check/run.js';
import type { Session } from './session.js';

/** Returns whether every hop passed. `observed`: what the setup already knows of the services (not read again). */
export async function runCheckStep(s: Session, observed?: Observed): Promise<boolean> {
  const { runChecks } = await import('../check/run.js');
  const common = { print: !s.ctx.json, envFile: s.ctx.envFile, db: !s.ctx.options['no-db'] };
  const report = await runChecks(s.values, { ...common, probe: true, live: false, ...(observed ? { observed } : {}) });
  if (!report.ok || !s.prompts || s.ctx.yes) return report.ok;
  if (!(await confirm('Call the number now to watch a real call come through?', false))) return true;
  const live = await runChecks(s.values, { ...common, probe: false, live: true });
  return live.ok;
}

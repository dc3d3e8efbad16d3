// Step 7: the test-call check, as the last step of the setup.
import type { Session } from './session.js';

/** Returns whether every hop passed. */
export async function runCheckStep(s: Session): Promise<boolean> {
  const { runChecks } = await import('../check/run.js');
  const report = await runChecks(s.values, { print: !s.ctx.json, probe: true, live: false, envFile: s.ctx.envFile });
  return report.ok;
}

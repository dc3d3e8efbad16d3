// The guided setup: the guide's steps in order. Nothing is written until the plan is confirmed.
import type { Context } from '../context.js';
import { CancelledError } from '../errors.js';
import { apply, confirmPlan, showPlan } from '../steps/apply.js';
import { runCheckStep } from '../steps/check.js';
import { askLiveKit } from '../steps/livekit.js';
import { askNumber } from '../steps/number.js';
import { showOutput, SWML_FILE } from '../steps/output.js';
import { buildPlan } from '../steps/plan.js';
import { readAhead } from '../steps/reads.js';
import { createSession, type Session } from '../steps/session.js';
import { askSignalWire } from '../steps/signalwire.js';
import { askCarrier, askCarrierCredentials } from '../steps/carrier.js';
import { start } from '../steps/start.js';
import { askSupabase } from '../steps/supabase.js';
import { agentChange, askAgent } from '../steps/agent.js';
import { summary } from '../steps/summary.js';
import { onInterrupt, setPhase } from '../signals.js';
import { printJson } from '../steps/json.js';
import { humanToStderr, out } from '../ui.js';
import { dirname, join } from 'node:path';
import { lockProject } from '../services/lock.js';
import { tightenSecretFiles } from '../services/env-file.js';
import { checkEnvPath } from '../steps/env-path.js';

export async function run(ctx: Context): Promise<number> {
  if (ctx.json) humanToStderr(); // stdout carries only the JSON result
  await checkEnvPath(ctx); // before any question: a file that cannot be written is bad input, found at once
  // One run at a time changes a project (a dry run changes nothing, so it never waits).
  const lock = ctx.dryRun ? undefined : await lockProject(ctx.envFile);
  const s = createSession(ctx);
  const interrupt = onInterrupt();
  try {
    await start(s); //                                    rerun? update / add / credentials
    await readAhead(s); //                                   reads whose inputs are known start now, in parallel
    const livekit = await askLiveKit(s); //               1. LiveKit, checked live
    const supabase = await askSupabase(s); //             2. Supabase, checked live
    await askNumber(s); //                                3. the number and its providers
    await askCarrier(s); //                                  its carrier (a select), then only that carrier's credentials:
    const signalwire = await askSignalWire(s); //            (optional) SignalWire API
    await askCarrierCredentials(s); //                       or another carrier's, checked live
    const agent = await askAgent(s); //                      (optional) the starter agent, when none is here
    const plan = await buildPlan(s, { livekit, supabase, signalwire }); // compare with what exists
    const create = agent && agentChange(agent);
    if (create) plan.changes.push(create);
    showPlan(s, plan.changes, plan.notes); //             4. the plan
    if (ctx.dryRun) return finish(s, plan, 'Dry run: nothing was changed.');
    if (!(await confirmPlan(s, plan.changes))) throw new CancelledError('Nothing was changed.');
    // .env and the saved SWML hold secrets: owner-only, even when nothing else changes.
    for (const line of tightenSecretFiles([ctx.envFile, join(dirname(ctx.envFile), SWML_FILE)])) out(`✔ ${line}`);
    setPhase('applying');
    await apply(s, plan.changes); //                      5. apply, in order
    if (create) s.agentCreated = true;
    const observed = await plan.afterApply(); //             the trunk read back: its login is the one .env and the SWML carry
    setPhase('applied');
    await showOutput(s); //                               6. SWML, SQL, the agent note
    // 7. the test-call check, judging what the plan read and re-reading only what the apply changed
    const passed = ctx.options['no-check'] ? true : await runCheckStep(s, observed);
    return finish(s, plan, passed ? 'Done.' : 'Set up, but the check found a problem (above).', passed ? 0 : 1);
  } finally {
    interrupt.dispose();
    lock?.release();
  }
}

async function finish(s: Session, plan: { changes: { summary: string }[]; notes: string[] }, headline: string, code = 0): Promise<number> {
  if (s.ctx.json) printJson(s, plan.changes, code, plan.notes);
  else await summary(s, headline); //                    8. summary and the next-time command
  return code;
}

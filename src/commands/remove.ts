// `remove --number +1…`: takes the number off our LiveKit trunk; the trunk and our rule go only when no
// number is left. Shows what it will do, asks once (--yes skips), then prints one line per change done.
import { requireValues } from '../config.js';
import type { Context } from '../context.js';
import { CancelledError, UsageError } from '../errors.js';
import { applyPlan } from '../plan.js';
import { setPhase, SIGNAL_EXIT, stopMessage } from '../steps/interrupt.js';
import { answer, clack, err, out } from '../ui.js';
import { lockProject } from '../services/lock.js';

export async function run(ctx: Context): Promise<number> {
  const v = ctx.values;
  requireValues(v, ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET', 'PHONE_NUMBER'], 'Missing (give each as a flag, or set it in the environment or .env)');
  const conn = { url: v.LIVEKIT_URL!, apiKey: v.LIVEKIT_API_KEY!, apiSecret: v.LIVEKIT_API_SECRET! };
  const target = {
    number: v.PHONE_NUMBER!,
    trunkName: v.LIVEKIT_SIP_TRUNK_NAME ?? 'create-sip-inbound',
    ruleName: v.LIVEKIT_SIP_RULE_NAME ?? 'create-sip-inbound',
  };
  // One run at a time changes a project (a dry run changes nothing, so it never waits).
  const lock = ctx.dryRun ? undefined : await lockProject(ctx.envFile);
  try {
    return await removeNumber(ctx, conn, target);
  } finally {
    lock?.release();
  }
}

async function removeNumber(ctx: Context, conn: { url: string; apiKey: string; apiSecret: string }, target: { number: string; trunkName: string; ruleName: string }): Promise<number> {
  const { observeLiveKit, planRemoveNumber } = await import('../services/livekit.js');
  const changes = planRemoveNumber(conn, target, await observeLiveKit(conn, target));
  const say = (text: string) => (ctx.json ? undefined : out(text));

  if (!changes.length) {
    say(`Nothing to change: ${target.number} is not on LiveKit trunk "${target.trunkName}".`);
    if (ctx.json) out(JSON.stringify({ ok: true, done: [] }));
    return 0;
  }
  say(changes.map((c) => `  • ${c.summary}`).join('\n'));
  if (ctx.dryRun) {
    if (ctx.json) out(JSON.stringify({ ok: true, dryRun: true, planned: changes.map((c) => c.summary) }));
    return 0;
  }
  if (!ctx.yes) {
    if (!ctx.interactive || ctx.json) throw new UsageError('remove changes LiveKit and asks first: pass --yes to go ahead without a prompt');
    const c = await clack();
    if (!(await answer(await c.confirm({ message: `Remove ${target.number} from LiveKit?`, initialValue: false })))) throw new CancelledError();
  }

  setPhase('applying');
  const report = await applyPlan(changes, (change, phase) => {
    if (phase === 'done') say(`✔ ${change.summary}`);
  });
  if (ctx.json) out(JSON.stringify({ ok: !report.failed, done: report.done.map((c) => c.summary), notDone: [...(report.failed ? [report.failed.change] : []), ...report.notDone].map((c) => c.summary) }));
  if (report.failed) {
    const notDone = [report.failed.change, ...report.notDone].map((c) => `  ✖ ${c.summary}`).join('\n');
    if (!ctx.json) err(`Not done:\n${notDone}\nFix the cause below and run again.`);
    throw report.failed.error;
  }
  if (report.stopped) throw new CancelledError(stopMessage(), SIGNAL_EXIT[report.stopped]);
  return 0;
}

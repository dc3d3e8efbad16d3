// `remove --number +1…`: takes the number off all three sides, each shown and confirmed on its own (--yes
// takes them all): our LiveKit trunk (the trunk and our rule go only when no number is left), the number's
// route at its carrier (with the carrier's credentials; on SignalWire, our SWML script), and the database row
// (set inactive, never deleted).
// Without --number, the one number configured (which-number.ts).
import { carrierOf, requiredFor, requireValues } from '../config.js';
import type { Context } from '../context.js';
import { CancelledError, UsageError } from '../errors.js';
import { applyPlan, type Change } from '../changes.js';
import { DEFAULT_NAME, type Values } from '../settings.js';
import { lockProject } from '../services/lock.js';
import { tool } from '../invocation.js';
import { pickNumbers } from './which-number.js';
import { setPhase, SIGNAL_EXIT, stopMessage } from '../signals.js';
import { answer, bold, clack, dim, err, out, yellow } from '../ui.js';

interface Side {
  name: 'LiveKit' | 'database' | (string & {});
  question: string;
  changes: Change[];
  /** Why nothing changes on this side, or what is left to do by hand. */
  note?: string;
}

export async function run(ctx: Context): Promise<number> {
  const [number] = await pickNumbers(ctx, { command: `${tool()} remove`, db: !ctx.options['no-db'] });
  const v = { ...ctx.values, ...(number ? { PHONE_NUMBER: number } : {}) };
  requireValues(v, requiredFor('remove'));
  // One run at a time changes a project (a dry run changes nothing, so it never waits).
  const lock = ctx.dryRun ? undefined : await lockProject(ctx.envFile);
  try {
    return await removeNumber(ctx, v);
  } finally {
    lock?.release();
  }
}

async function removeNumber(ctx: Context, v: Values): Promise<number> {
  const sides = await Promise.all([liveKitSide(v), carrierSide(v), databaseSide(v, Boolean(ctx.options['no-db']))]);
  const say = (text: string) => (ctx.json ? undefined : out(text));

  for (const side of sides) {
    say(bold(`${side.name}`));
    if (side.changes.length) say(side.changes.map((c) => `  • ${c.summary}`).join('\n'));
    else say(dim('  nothing to change'));
    if (side.note) say(yellow(`  ! ${side.note}`));
  }
  const planned = sides.filter((s) => s.changes.length);
  const notes = sides.flatMap((s) => (s.note ? [s.note] : []));
  if (!planned.length) {
    if (ctx.json) out(JSON.stringify({ ok: true, done: [], notes }));
    return 0;
  }
  if (ctx.dryRun) {
    if (ctx.json) out(JSON.stringify({ ok: true, dryRun: true, planned: planned.flatMap((s) => s.changes.map((c) => c.summary)), notes }));
    return 0;
  }
  if (!ctx.yes && (!ctx.interactive || ctx.json))
    throw new UsageError(`remove changes ${planned.map((s) => s.name).join(', ')} and asks first: pass --yes to go ahead without a prompt`);

  // Each side on its own say-so: someone may want the number off LiveKit but its row kept active, say.
  const chosen: Change[] = [];
  for (const side of planned) {
    if (ctx.yes) chosen.push(...side.changes);
    else if (await answer(await (await clack()).confirm({ message: side.question, initialValue: false }))) chosen.push(...side.changes);
  }
  if (!chosen.length) throw new CancelledError();

  setPhase('applying');
  const report = await applyPlan(chosen, (change, phase) => {
    if (phase === 'done') say(`✔ ${change.summary}`);
  });
  const notDone = [...(report.failed ? [report.failed.change] : []), ...report.notDone];
  if (ctx.json) out(JSON.stringify({ ok: !report.failed, done: report.done.map((c) => c.summary), notDone: notDone.map((c) => c.summary), notes }));
  if (report.failed) {
    if (!ctx.json) err(`Not done:\n${notDone.map((c) => `  ✖ ${c.summary}`).join('\n')}\nFix the cause below and run again.`);
    throw report.failed.error;
  }
  if (report.stopped) throw new CancelledError(stopMessage(), SIGNAL_EXIT[report.stopped]);
  return 0;
}

async function liveKitSide(v: Values): Promise<Side> {
  const conn = { url: v.LIVEKIT_URL!, apiKey: v.LIVEKIT_API_KEY!, apiSecret: v.LIVEKIT_API_SECRET! };
  const target = { number: v.PHONE_NUMBER!, trunkName: v.LIVEKIT_SIP_TRUNK_NAME ?? DEFAULT_NAME, ruleName: v.LIVEKIT_SIP_RULE_NAME ?? DEFAULT_NAME };
  const [{ observeLiveKit }, { planRemoveNumber }] = await Promise.all([import('../services/livekit.js'), import('../services/livekit-changes.js')]);
  const changes = planRemoveNumber(conn, target, await observeLiveKit(conn, target));
  return {
    name: 'LiveKit',
    question: `Take ${target.number} off LiveKit?`,
    changes,
    ...(changes.length ? {} : { note: `${target.number} is not on LiveKit trunk "${target.trunkName}"` }),
  };
}

/** The number's carrier, through the carrier seam: the number stops routing to LiveKit. */
async function carrierSide(v: Values): Promise<Side> {
  const { carrierNamed } = await import('../carriers/index.js');
  const carrier = carrierNamed(carrierOf(v));
  const e164 = v.PHONE_NUMBER!;
  const words = carrier.removal;
  const question = words?.question(e164) ?? `Stop ${e164} routing to LiveKit on ${carrier.label}?`;
  const side: Side = { name: carrier.label, question, changes: [] };
  const conn = carrier.conn(v);
  if (!conn) return { ...side, note: `no ${carrier.label} credentials: ${words?.byHand(e164) ?? `take ${e164} off the trunk in ${carrier.label}'s console`}` };
  // The target says where the route points; remove judges only that, not what the route would carry.
  const target = carrier.target(v);
  const state = await carrier.observe(conn, e164, target);
  const changes = carrier.unroute(conn, e164, state);
  const note = words ? words.note(e164, target, state) : changes.length ? undefined : `${e164} no longer routes to LiveKit on ${carrier.label}`;
  return { ...side, changes, ...(note ? { note } : {}) };
}

async function databaseSide(v: Values, noDb: boolean): Promise<Side> {
  const side: Side = { name: 'database', question: `Set ${v.PHONE_NUMBER} inactive in the database (the row stays)?`, changes: [] };
  if (noDb) return { ...side, note: '--no-db: the row is left as it is' };
  const [{ readNumberRow, supabaseConn }, { planDeactivateNumberRow }] = await Promise.all([import('../services/supabase.js'), import('../services/supabase-row.js')]);
  const conn = supabaseConn(v);
  if (!conn) return { ...side, note: 'no Supabase credentials: the row is left as it is' };
  const row = await readNumberRow(conn, v.PHONE_NUMBER!);
  const changes = planDeactivateNumberRow(conn, v.PHONE_NUMBER!, row);
  return { ...side, changes, ...(changes.length ? {} : { note: row ? 'the row is already inactive' : `no row for ${v.PHONE_NUMBER}` }) };
}

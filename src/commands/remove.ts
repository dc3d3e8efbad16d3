// `remove --number +1…`: takes the number off all three sides, each shown and confirmed on its own (--yes
// takes them all): our LiveKit trunk (the trunk and our rule go only when no number is left), our SWML
// script on SignalWire (with SignalWire credentials), and the database row (set inactive, never deleted).
// Without --number, the one number configured (which-number.ts).
import { carrierOf, requiredFor, requireValues } from '../config.js';
import type { Context } from '../context.js';
import { CancelledError, UsageError } from '../errors.js';
import { applyPlan, type Change } from '../changes.js';
import { DEFAULT_NAME, type Values } from '../settings.js';
import { swmlUrl } from '../swml-path.js';
import { numberPage } from '../carriers/signalwire/dashboard.js';
import { lockProject } from '../services/lock.js';
import { tool } from '../invocation.js';
import { pickNumbers } from './which-number.js';
import { setPhase, SIGNAL_EXIT, stopMessage } from '../signals.js';
import { answer, bold, clack, dim, err, out, yellow } from '../ui.js';

interface Side {
  name: 'LiveKit' | 'SignalWire' | 'database' | (string & {});
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
  const sides = await Promise.all([liveKitSide(v), signalWireSide(v), databaseSide(v, Boolean(ctx.options['no-db']))]);
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

async function signalWireSide(v: Values): Promise<Side> {
  if (carrierOf(v) !== 'signalwire') return carrierSide(v);
  const side: Side = { name: 'SignalWire', question: `Delete our SWML script for ${v.PHONE_NUMBER} on SignalWire?`, changes: [] };
  const { observeSignalWire, planUnpointNumber, signalWireConn, unpointNote } = await import('../carriers/signalwire/index.js');
  const conn = signalWireConn(v);
  if (!conn) return { ...side, note: `no SignalWire credentials: if the number runs our SWML, change it under ${numberPage(v.PHONE_NUMBER)}` };
  // Only where the SWML comes from matters here, not its contents.
  const target = v.API_BASE_URL ? { kind: 'url' as const, url: swmlUrl(v.API_BASE_URL) } : { kind: 'hosted' as const, swml: '' };
  const state = await observeSignalWire(conn, v.PHONE_NUMBER!, target);
  const note = unpointNote(v.PHONE_NUMBER!, target, state);
  return { ...side, changes: planUnpointNumber(conn, v.PHONE_NUMBER!, state), ...(note ? { note } : {}) };
}

/** A carrier other than SignalWire, through the carrier seam: the number stops routing to LiveKit. */
async function carrierSide(v: Values): Promise<Side> {
  const { carrierNamed } = await import('../carriers/index.js');
  const carrier = carrierNamed(carrierOf(v));
  const side: Side = { name: carrier.label, question: `Stop ${v.PHONE_NUMBER} routing to LiveKit on ${carrier.label}?`, changes: [] };
  const conn = carrier.conn(v);
  if (!conn) return { ...side, note: `no ${carrier.label} credentials: take ${v.PHONE_NUMBER} off the trunk in ${carrier.label}'s console` };
  const state = await carrier.observe(conn, v.PHONE_NUMBER!, carrier.target(v));
  const changes = carrier.unroute(conn, v.PHONE_NUMBER!, state);
  return { ...side, changes, ...(changes.length ? {} : { note: `${v.PHONE_NUMBER} no longer routes to LiveKit on ${carrier.label}` }) };
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

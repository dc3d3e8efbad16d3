// `check`: the test-call check on its own. Without --number, every number configured (which-number.ts),
// one block of hops each. Exit 0 only when every hop (and the probe and live call that ran) passed,
// 1 otherwise, 2 when settings are missing or --timeout is not a number of seconds.
import { carrierCredentialKeys, carrierOf, requiredFor, requireValues } from '../config.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { carrierNamed } from '../carriers/index.js';
import { CARRIER_IDS, setting, type SettingKey, type Values } from '../settings.js';
import { rerunCommand } from '../check/rerun.js';
import { pickNumbers } from './which-number.js';
import { bold, err, out } from '../ui.js';

export async function run(ctx: Context): Promise<number> {
  const db = !ctx.options['no-db'];
  const timeoutSec = parseTimeout(ctx.options.timeout);
  const probeSec = parseSeconds(ctx.options['probe-timeout'], '--probe-timeout', 1, 300, 20);
  // A live watch or a placed call takes one number; the hops alone are checked for every number configured.
  const one = ctx.options.call ? '--call' : ctx.options.live ? '--live' : undefined;
  const numbers = await pickNumbers(ctx, { command: `${rerunCommand(ctx)}${one ? ` ${one}` : ''}`, db, all: !one });
  const values = { ...ctx.values, ...(numbers[0] ? { PHONE_NUMBER: numbers[0] } : {}) };
  requireValues(values, requiredFor('check', { db }));
  const call = ctx.options.call ? await callOptions(ctx, values) : undefined;
  const [{ runChecks }, { dialable }, { LIVE_TIMEOUT_S }] = await Promise.all([
    import('../check/run.js'),
    import('../check/report.js'),
    import('../check/live.js'),
  ]);
  const reports = [];
  for (const [i, number] of numbers.entries()) {
    if (numbers.length > 1 && !ctx.json) out(bold(`${i ? '\n' : ''}${number}`));
    const report = await runChecks(
      { ...values, PHONE_NUMBER: number },
      {
        print: !ctx.json,
        // The probe dispatches to the rule every number shares: once is enough.
        probe: !ctx.options['no-probe'] && i === 0,
        live: Boolean(ctx.options.live),
        ...(timeoutSec !== undefined ? { timeoutSec } : {}),
        ...(probeSec !== undefined ? { probeTimeoutMs: probeSec * 1000 } : {}),
        envFile: ctx.envFile,
        db,
        rerun: rerunCommand(ctx),
        keyboard: ctx.interactive,
        ...(call ? { call } : {}),
        // Under --json stdout is only the report, but the person still has to be told to dial.
        ...(ctx.json ? { onLiveStart: (n: string) => err(`Call ${dialable(n)} now (watching for ${timeoutSec ?? LIVE_TIMEOUT_S} s)`) } : {}),
      },
    );
    reports.push({ number, ...report });
  }
  const ok = reports.every((r) => r.ok);
  if (ctx.json) {
    const { number: _, ...one } = reports[0]!;
    out(JSON.stringify(reports.length === 1 ? one : { ok, numbers: reports }, null, 2));
  }
  return ok ? 0 : 1;
}

/** --call and its options, checked before anything runs; the cost question, or --yes. */
async function callOptions(ctx: Context, values: Values): Promise<NonNullable<import('../check/run.js').CheckOptions['call']>> {
  const carrier = carrierNamed(carrierOf(values));
  if (!carrier.testCall) throw new UsageError(`check --call cannot place ${carrier.label} calls yet: run check, or check --live while you call the number`);
  // What every test call needs (the SIP domain), then this carrier's credentials; no other carrier's.
  const isCarrierGroup = (k: SettingKey) => (CARRIER_IDS as readonly string[]).includes(setting(k).group);
  const needed = [...new Set([...requiredFor('check --call').filter((k) => !isCarrierGroup(k)), ...carrierCredentialKeys(carrier.id)])];
  requireValues(values, needed, `check --call places the call through ${carrier.label}; missing`);
  const { leg, from, 'call-seconds': secs } = ctx.options;
  if (leg !== undefined && leg !== 'full' && leg !== 'livekit') throw new UsageError(`--leg: "${String(leg)}" is not full or livekit, e.g. --leg livekit`);
  let fromE164: string | undefined;
  if (from !== undefined) {
    const { toE164 } = await import('../validate.js');
    fromE164 = typeof from === 'string' ? toE164(from) : undefined;
    if (!fromE164) throw new UsageError(`--from: "${String(from)}" is not a phone number, e.g. --from +16505300051`);
  }
  let seconds: number | undefined;
  if (secs !== undefined) {
    seconds = Number(secs);
    if (typeof secs !== 'string' || !/^\d+$/.test(secs.trim()) || seconds < 1 || seconds > 300)
      throw new UsageError(`--call-seconds: "${String(secs)}" is not a number of seconds (1-300), e.g. --call-seconds 20`);
  }
  if (!ctx.yes && (!ctx.interactive || ctx.json)) throw new UsageError('check --call places a billed call and asks first: pass --yes to place it without a prompt');
  const confirm = async (text: string) => {
    if (ctx.yes) {
      (ctx.json ? err : out)(text);
      return true;
    }
    const { answer, clack } = await import('../ui.js');
    const c = await clack();
    return answer(await c.confirm({ message: `${text} Place it?`, initialValue: true }));
  };
  return { ...(leg ? { leg } : {}), ...(fromE164 ? { from: fromE164 } : {}), ...(seconds ? { seconds } : {}), confirm };
}

function parseTimeout(raw: string | boolean | undefined): number | undefined {
  return parseSeconds(raw, '--timeout', 1, 3600, 120);
}

function parseSeconds(raw: string | boolean | undefined, flag: string, min: number, max: number, example: number): number | undefined {
  if (raw === undefined || typeof raw === 'boolean') return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max)
    throw new UsageError(`${flag}: "${String(raw)}" is not a number of seconds (${min}-${max}), e.g. ${flag} ${example}`);
  return n;
}

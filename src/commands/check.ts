// `check`: the test-call check on its own. Exit 0 only when every hop (and the probe and live call that
// ran) passed, 1 otherwise, 2 when settings are missing or --timeout is not a number of seconds.
import { requireValues } from '../config.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import type { Values } from '../settings.js';
import { err, out } from '../ui.js';

export async function run(ctx: Context): Promise<number> {
  const { REQUIRED } = await import('../check/env-hop.js');
  const values = { ...ctx.values };
  values.PHONE_NUMBER ??= await onlyNumber(values);
  requireValues(values, REQUIRED, 'Missing (give each as a flag, or set it in the environment or .env)');
  const timeoutSec = parseTimeout(ctx.options.timeout);
  const call = ctx.options.call ? await callOptions(ctx, values) : undefined;
  const [{ runChecks }, { dialable }, { LIVE_TIMEOUT_S }] = await Promise.all([
    import('../check/run.js'),
    import('../check/report.js'),
    import('../check/live.js'),
  ]);
  const report = await runChecks(values, {
    print: !ctx.json,
    probe: !ctx.options['no-probe'],
    live: Boolean(ctx.options.live),
    ...(timeoutSec !== undefined ? { timeoutSec } : {}),
    envFile: ctx.envFile,
    ...(call ? { call } : {}),
    // Under --json stdout is only the report, but the person still has to be told to dial.
    ...(ctx.json ? { onLiveStart: (n: string) => err(`Call ${dialable(n)} now (watching for ${timeoutSec ?? LIVE_TIMEOUT_S} s)`) } : {}),
  });
  if (ctx.json) out(JSON.stringify(report, null, 2));
  return report.ok ? 0 : 1;
}

/** Without --number, the number on our trunk when it holds exactly one (what a setup just made). */
async function onlyNumber(values: Values): Promise<string | undefined> {
  if (!values.LIVEKIT_URL || !values.LIVEKIT_API_KEY || !values.LIVEKIT_API_SECRET) return undefined;
  const { listTrunkNumbers, DEFAULT_NAME } = await import('../services/livekit.js');
  const conn = { url: values.LIVEKIT_URL, apiKey: values.LIVEKIT_API_KEY, apiSecret: values.LIVEKIT_API_SECRET };
  const numbers = await listTrunkNumbers(conn, values.LIVEKIT_SIP_TRUNK_NAME ?? DEFAULT_NAME).catch(() => []);
  return numbers.length === 1 ? numbers[0] : undefined;
}

/** --call and its options, checked before anything runs; the cost question, or --yes. */
async function callOptions(ctx: Context, values: Values): Promise<NonNullable<import('../check/run.js').CheckOptions['call']>> {
  requireValues(values, ['SIGNALWIRE_SPACE_URL', 'SIGNALWIRE_PROJECT_ID', 'SIGNALWIRE_API_TOKEN', 'LIVEKIT_SIP_DOMAIN'], 'check --call places the call through SignalWire; missing');
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
  if (raw === undefined || typeof raw === 'boolean') return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < 1 || n > 3600) throw new UsageError(`--timeout: "${raw}" is not a number of seconds (1-3600), e.g. --timeout 120`);
  return n;
}

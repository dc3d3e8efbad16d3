// Which number `sql`, `remove` and `check` act on when --number is not given: the one configured (said in
// one line), a select among several at a keyboard, and otherwise a usage error listing them. The number
// in the flags, the environment or .env wins without any read; else our LiveKit trunk and the table's
// active rows are read once each, in parallel.
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { DEFAULT_NAME, type Values } from '../settings.js';
import { err } from '../ui.js';

/** Every number configured: on our LiveKit trunk, or active in the table (unless --no-db). A read that fails counts as none. */
export async function configuredNumbers(values: Values, db: boolean): Promise<string[]> {
  const hasLiveKit = values.LIVEKIT_URL && values.LIVEKIT_API_KEY && values.LIVEKIT_API_SECRET;
  const hasTable = db && values.SUPABASE_URL && values.SUPABASE_SERVICE_ROLE_KEY;
  // Unreachable or refused here is reported by the command's own checks, which name the setting to fix.
  const [onTrunk, inTable] = await Promise.all([
    hasLiveKit ? trunkNumbers(values).catch(() => []) : [],
    hasTable ? tableNumbers(values).catch(() => []) : [],
  ]);
  return [...new Set([...onTrunk, ...inTable])];
}

async function trunkNumbers(values: Values): Promise<string[]> {
  const { liveKitConn, listTrunkNumbers } = await import('../services/livekit.js');
  return listTrunkNumbers(liveKitConn(values)!, values.LIVEKIT_SIP_TRUNK_NAME ?? DEFAULT_NAME);
}

async function tableNumbers(values: Values): Promise<string[]> {
  const { listActiveNumbers, supabaseConn } = await import('../services/supabase.js');
  return listActiveNumbers(supabaseConn(values)!);
}

export interface PickOptions {
  /** `check` without --call or --live: several numbers are all checked, none is asked for. */
  all?: boolean;
  /** The command line that names one, for the error, e.g. `${tool()} remove`. */
  command: string;
  db: boolean;
}

/**
 * The numbers to act on: [the number] when one is given or configured, every one when `all`, [] when none
 * is known (the command's requireValues then names --number). Says in one line which number it took.
 */
export async function pickNumbers(ctx: Context, o: PickOptions): Promise<string[]> {
  const given = ctx.values.PHONE_NUMBER;
  if (given) {
    if (ctx.sources.PHONE_NUMBER === 'env-file') err(`Using ${given}, PHONE_NUMBER in ${ctx.envFile}.`);
    return [given];
  }
  const numbers = await configuredNumbers(ctx.values, o.db);
  if (numbers.length === 1) err(`Using ${numbers[0]}, the one number configured.`);
  if (numbers.length <= 1 || o.all) return numbers;
  if (ctx.interactive && !ctx.json) {
    const { answer, clack } = await import('../ui.js');
    const c = await clack();
    const picked = await answer(await c.select({ message: 'Which number?', options: numbers.map((n) => ({ value: n, label: n })) }));
    return [picked];
  }
  throw new UsageError(`${numbers.length} numbers are configured (${numbers.join(', ')}): name one, e.g. ${o.command} --number ${numbers[0]}`);
}

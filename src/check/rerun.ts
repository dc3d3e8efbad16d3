// How a fix line names the check command: as the person ran it (the same .env and database switch).
import { tool } from '../invocation.js';
import type { Context } from '../context.js';

/** The command that runs this check again as it was run: the same .env and database switch. */
export function rerunCommand(ctx: Pick<Context, 'envFile' | 'options'>): string {
  const parts = [`${tool()} check`];
  if (ctx.envFile !== '.env') parts.push(`-f ${/^[\w@%+=:,./-]+$/.test(ctx.envFile) ? ctx.envFile : `'${ctx.envFile.replace(/'/g, `'\\''`)}'`}`);
  if (ctx.options['no-db']) parts.push('--no-db');
  return parts.join(' ');
}

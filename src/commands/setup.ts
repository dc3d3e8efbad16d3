import { UsageError } from '../errors.js';
import type { Context } from '../context.js';

export async function run(_ctx: Context): Promise<number> {
  throw new UsageError('The setup command is not available yet.');
}

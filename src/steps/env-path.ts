// The .env path is checked before the first question: a file that cannot be written is bad input (exit 2),
// said in one line with nothing printed before it, rather than a failure after the whole plan.
import { mkdirSync } from 'node:fs';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { envPathProblem } from '../services/env-file.js';
import { answer, clack } from '../ui.js';
/** The .env file's folder must exist and be writable, and the file too: at a keyboard a missing folder is offered. */
export async function checkEnvPath(ctx: Context): Promise<void> {
  const problem = envPathProblem(ctx.envFile);
  if (!problem) return;
  if (problem.kind === 'no-folder' && ctx.interactive && !ctx.yes && !ctx.dryRun) {
    const create = await answer(await (await clack()).confirm({ message: `The folder ${problem.folder} does not exist. Create it?`, initialValue: true }));
    if (create) {
      mkdirSync(problem.folder, { recursive: true });
      return checkEnvPath(ctx);
    }
  }
  throw new UsageError(problem.message);
}

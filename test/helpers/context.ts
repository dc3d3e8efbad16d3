// A command's Context for in-process tests: no .env, no prompts, --yes; `over` changes any part.
import type { Context } from '../../src/context.ts';

export function testContext(over: Partial<Context> = {}): Context {
  return {
    values: {},
    sources: {},
    envFileText: '',
    envFileExists: false,
    envFile: '.env',
    interactive: false,
    yes: true,
    dryRun: false,
    json: false,
    options: {},
    args: [],
    ...over,
  };
}

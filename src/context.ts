// What every command receives: resolved settings, the global switches, and its own options.
import type { Resolved } from './config.js';

export interface Context extends Resolved {
  envFile: string;
  /** True when prompts may be shown: a TTY on stdin and stdout, no --no-interactive, no CI. */
  interactive: boolean;
  yes: boolean;
  dryRun: boolean;
  json: boolean;
  /** The command's own options, by name (e.g. "format", "live", "no-db"). */
  options: Record<string, string | boolean | undefined>;
  /** Positional arguments after the command name. */
  args: string[];
  /** Where values that came from neither flags, the environment nor .env came from, e.g. "from lk config project `my-app`". */
  from?: Partial<Record<string, string>>;
}

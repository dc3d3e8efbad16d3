// argv → command. Errors become one clear line on stderr and an exit code (DESIGN.md):
// 0 done, 1 a service or check failed, 2 bad input or usage, 130 cancelled.
import { parseArgs } from 'node:util';
import { exitCodeOf, UsageError } from './errors.js';
import { COMMANDS, GLOBAL_OPTIONS, type CommandSpec, type OptionSpec } from './commands/registry.js';
import { SETTINGS } from './settings.js';
import { commandHelp, programHelp } from './help.js';
import { redactLine, rememberSecrets, shown } from './redact.js';
import { installSignalHandlers } from './signals.js';

declare const __VERSION__: string;
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

export async function main(argv: string[]): Promise<void> {
  // A reader that went away (`| head`) ends the run quietly, never with a stack trace.
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  let code: number;
  try {
    code = await run(argv);
  } catch (err) {
    code = exitCodeOf(err);
    const line = errorLine(err);
    // On a terminal the one line wraps at its width, between words; piped, it stays one line.
    const { fitText, termWidth } = await import('./wrap.js');
    process.stderr.write(`${process.stderr.isTTY ? fitText(line, termWidth(process.stderr)) : line}\n`);
  }
  process.exitCode = code;
}

/** The one line an error ends the run with: every secret of the run redacted, control characters escaped. */
export function errorLine(err: unknown): string {
  if (err instanceof Error && 'exitCode' in err) return shown(`✖ ${err.message}`);
  // Not one of ours: a bug. Say so in one line; the stack only on request (redacted too).
  const detail = err instanceof Error ? err.message : String(err);
  if (process.env.DEBUG) process.stderr.write(`${shown(err instanceof Error ? (err.stack ?? detail) : detail)}\n`);
  return shown(`✖ Unexpected error: ${redactLine(detail)} (run with DEBUG=1 for details)`);
}

async function run(argv: string[]): Promise<number> {
  const first = argv[0];
  const named = first && !first.startsWith('-') ? COMMANDS.find((c) => c.name === first) : undefined;
  if (first && !first.startsWith('-') && !named && first !== 'help')
    throw new UsageError(`Unknown command "${first}". Commands: ${COMMANDS.map((c) => c.name).join(', ')} (see --help)`);
  if (first === 'help') {
    const topic = COMMANDS.find((c) => c.name === argv[1]);
    process.stdout.write(topic ? commandHelp(topic) : programHelp(VERSION));
    return 0;
  }
  const command = named ?? COMMANDS[0]!;
  const rest = named ? argv.slice(1) : argv;
  const parsed = parse(command, rest);

  if (parsed.values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (parsed.values.help) {
    process.stdout.write(named ? commandHelp(command) : programHelp(VERSION));
    return 0;
  }

  const flags: Record<string, string> = {};
  for (const s of SETTINGS) {
    const v = parsed.values[s.flag];
    if (typeof v === 'string') flags[s.key] = v;
  }
  // Known before anything can fail or print: a bad value is named without being shown.
  rememberSecrets(process.env);
  rememberSecrets(flags);
  // serve drains its connections on a signal itself; everything else stops as described in signals.ts.
  if (command.name !== 'serve') installSignalHandlers();
  const options: Record<string, string | boolean | undefined> = {};
  for (const name of Object.keys(command.options)) options[name] = parsed.values[name] as string | boolean | undefined;

  const { resolveConfig } = await import('./config.js');
  const envFile = (parsed.values['env-file'] as string | undefined) ?? '.env';
  const resolved = resolveConfig({ flags, env: process.env, envFile });
  rememberSecrets(resolved.values);
  const interactive =
    !parsed.values['no-interactive'] && !isCI(process.env) && Boolean(process.stdin.isTTY) && Boolean(process.stdout.isTTY);
  const yes = Boolean(parsed.values.yes);
  // The wizard offers the LiveKit CLI's projects as a choice; everything else takes its default project.
  const from = command.name === 'setup' && interactive && !yes ? {} : await fromLkConfig(resolved);
  // Messages name each setting as it was given: flag, variable, or the variable in the .env file.
  const { noteGiven } = await import('./setting-names.js');
  noteGiven(resolved.sources, envFile, resolved.names);
  const mod = await command.load();
  return mod.run({
    ...resolved,
    envFile,
    interactive,
    yes,
    dryRun: Boolean(parsed.values['dry-run']),
    json: Boolean(parsed.values.json),
    options,
    args: parsed.positionals,
    from,
  });
}

/** CI=false, CI=0 and an empty CI are not CI (some tools export CI=false to say so). */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  const v = (env.CI ?? '').trim().toLowerCase();
  return v !== '' && v !== 'false' && v !== '0';
}

/**
 * Fills the LiveKit settings still missing from the LiveKit CLI's default_project, as `lk` itself does,
 * below flags, the environment and .env. Says so on stderr (stdout may be a piped document).
 */
async function fromLkConfig(resolved: import('./config.js').Resolved): Promise<Record<string, string>> {
  const v = resolved.values;
  if (v.LIVEKIT_URL && v.LIVEKIT_API_KEY && v.LIVEKIT_API_SECRET && v.LIVEKIT_SIP_DOMAIN) return {};
  const { defaultProjectOf, fillFromProject, readLkConfig } = await import('./services/lk-config.js');
  const { config, warning } = await readLkConfig();
  if (warning) process.stderr.write(`! ${warning}\n`);
  const project = config && defaultProjectOf(config);
  if (!project) return {};
  const filled = fillFromProject(v, project);
  if (!filled.length) return {};
  const from = `from lk config project \`${project.name}\``;
  for (const key of filled) resolved.sources[key] = 'lk-config';
  process.stderr.write(`Using ${filled.join(', ')} ${from} (${config.path})\n`);
  return Object.fromEntries(filled.map((k) => [k, from]));
}

function parse(command: CommandSpec, argv: string[]) {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  const add = (name: string, o: Pick<OptionSpec, 'type' | 'short'>) => {
    options[name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  };
  for (const [name, o] of Object.entries(GLOBAL_OPTIONS)) add(name, o);
  for (const s of SETTINGS) add(s.flag, { type: 'string' });
  for (const [name, o] of Object.entries(command.options)) add(name, o);
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    if (r.positionals.length)
      throw new UsageError(`Unexpected argument "${r.positionals[0]}" for ${command.name} (see ${command.name} --help)`);
    return r;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(argError(err as Error & { code?: string }, command));
  }
}

// node:util's messages are long and mention "strict: false"; say what is wrong in our words.
function argError(err: Error & { code?: string }, command: CommandSpec): string {
  const flag = /'(-[^' ]+)/.exec(err.message)?.[1] ?? '';
  const name = flag.replace(/^-+/, '').split('=')[0] ?? '';
  const help = command.name === 'setup' ? '--help' : `${command.name} --help`;
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const hint = name.startsWith('no-') ? '' : closest(name, command);
    return `Unknown option ${flag}${hint ? ` (did you mean --${hint}?)` : ''}; see ${help}`;
  }
  if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    return /argument missing/.test(err.message) ? `Option ${flag} needs a value; see ${help}` : `Option ${flag} takes no value; see ${help}`;
  }
  return `${err.message.split('\n')[0]}; see ${help}`;
}

function closest(name: string, command: CommandSpec): string | undefined {
  const all = [...Object.keys(GLOBAL_OPTIONS), ...SETTINGS.map((s) => s.flag), ...Object.keys(command.options)];
  return all.find((o) => o.includes(name) || (name.length > 3 && name.includes(o)));
}

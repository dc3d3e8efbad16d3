// --help text, generated from the command registry and the settings list. A command's help lists only
// the options and settings it reads, in at most 40 lines, each fitted to the terminal (80 when piped).
import { tool } from './invocation.js';
import { COMMANDS, GLOBAL_OPTIONS, type CommandSpec, type OptionSpec } from './commands/registry.js';
import { SETTING_BY_KEY, type Group, type Setting } from './settings.js';
import { wrapWords } from './wrap.js';

const GROUP_TITLE: Record<Group, string> = {
  livekit: 'LiveKit',
  supabase: 'Supabase',
  number: 'The number (its database row)',
  providers: 'Provider API keys',
  signalwire: 'SignalWire',
  twilio: 'Twilio',
  telnyx: 'Telnyx',
  server: 'API server',
};

/** The most lines a command's help may take: one screen. */
export const HELP_LINES = 40;

const width = () => Math.min(process.stdout.isTTY ? process.stdout.columns || 80 : 80, 100);

/** Two columns: the left padded to `w`, the right wrapped beside it. */
function rows(list: Array<readonly [string, string]>): string[] {
  const w = Math.min(Math.max(...list.map(([l]) => l.length)), 34);
  const indent = ' '.repeat(w + 4);
  return list.flatMap(([left, text]) => {
    const body = wrapWords(text, width() - indent.length).map((l) => indent + l);
    // A left column too wide for the others puts its text on the next line.
    if (left.length > w) return [`  ${left}`, ...body];
    body[0] = `  ${left.padEnd(w)}  ${body[0]!.trimStart()}`;
    return body;
  });
}

export function programHelp(version: string): string {
  return [
    `create-sip-inbound ${version}`,
    ...wrapWords('Set up inbound AI phone calls: a SignalWire, Twilio or Telnyx number → LiveKit SIP → your agent, settings in Supabase.', width()),
    '',
    'Usage: create-sip-inbound [command] [options]',
    '',
    'Commands:',
    ...rows(COMMANDS.map((c) => [c.name, c.summary] as const)),
    '',
    'Options:',
    ...optionRows(GLOBAL_OPTIONS),
    '',
    ...wrapWords('Every setting is a flag and an environment variable, read from -f/--env-file (default ./.env).', width()),
    ...wrapWords(`Run "${tool()} <command> --help" for a command's options and settings.`, width()),
    '',
    ...wrapWords('Exit codes: 0 done, 1 a service or check failed, 2 bad input or usage, 130 cancelled.', width()),
    '',
  ].join('\n');
}

export function commandHelp(c: CommandSpec): string {
  const globals = Object.fromEntries(Object.entries(GLOBAL_OPTIONS).filter(([name]) => c.globals.includes(name) && name !== 'help' && name !== 'version'));
  const head = [
    ...wrapWords(`Usage: ${c.usage}`, width(), '  '),
    '',
    ...wrapWords(c.summary.charAt(0).toUpperCase() + c.summary.slice(1) + '.', width()),
    ...(c.description ? ['', ...c.description.split('\n').flatMap((l) => wrapWords(l, width()))] : []),
    ...(Object.keys(c.options).length ? ['', 'Options:', ...optionRows(c.options)] : []),
    '',
    // Described once, in the program's --help; here only which of them this command takes.
    ...wrapWords(`Also: ${Object.entries(globals).map(([name, o]) => `${o.short ? `-${o.short}/` : ''}--${name}`).join(', ')} (see --help)`, width(), '  '),
  ];
  const examples = ['', 'Examples:', ...c.examples.flatMap((e) => wrapWords(`  ${e}`, width(), '    ')), ''];
  const settings = c.settings.map((k) => SETTING_BY_KEY.get(k)!);
  // Each setting with its variable and what it is, when that fits in one screen; else the flags by group.
  const detailed = settingRows(settings);
  const fits = head.length + detailed.length + examples.length <= HELP_LINES;
  return [...head, ...(fits ? detailed : settingGroups(settings)), ...examples].join('\n');
}

function settingRows(settings: Setting[]): string[] {
  const lines: string[] = [];
  for (const g of Object.keys(GROUP_TITLE) as Group[]) {
    const list = settings.filter((s) => s.group === g);
    if (!list.length) continue;
    lines.push('', `${GROUP_TITLE[g]}:`);
    lines.push(...rows(list.map((s) => [`--${s.flag} (${s.key})`, `${s.help}${s.default ? ` [default: ${s.default}]` : ''}`] as const)));
  }
  return lines;
}

function settingGroups(settings: Setting[]): string[] {
  const lines = ['', 'Settings (each also a variable: README → Settings):'];
  for (const g of Object.keys(GROUP_TITLE) as Group[]) {
    const list = settings.filter((s) => s.group === g);
    if (list.length) lines.push(...wrapWords(`  ${GROUP_TITLE[g]}: ${list.map((s) => `--${s.flag}`).join(' ')}`, width(), '    '));
  }
  return lines;
}

function optionRows(options: Record<string, OptionSpec>): string[] {
  return rows(
    Object.entries(options).map(([name, o]) => {
      const [placeholder, text] = o.type === 'string' && o.help.startsWith('<') ? splitPlaceholder(o.help) : ['', o.help];
      return [`${o.short ? `-${o.short}, ` : '    '}--${name}${placeholder ? ` ${placeholder}` : ''}`, text] as const;
    }),
  );
}

function splitPlaceholder(help: string): [string, string] {
  const m = /^(<[^>]+>)\s+(.*)$/.exec(help);
  return m ? [m[1]!, m[2]!] : ['', help];
}

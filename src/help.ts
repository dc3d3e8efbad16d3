// --help text, generated from the command registry and the settings list.
import { tool } from './invocation.js';
import { COMMANDS, GLOBAL_OPTIONS, type CommandSpec, type OptionSpec } from './commands/registry.js';
import { SETTINGS, type Group } from './settings.js';

const GROUP_TITLE: Record<Group, string> = {
  livekit: 'LiveKit',
  supabase: 'Supabase',
  number: 'The number (stored in its database row)',
  providers: 'Provider API keys',
  carrier: 'Carrier',
  signalwire: 'SignalWire (optional: point the number at the SWML automatically)',
  twilio: 'Twilio (point the number at LiveKit through an Elastic SIP trunk)',
  server: 'API server (serve)',
};

export function programHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `create-sip-inbound ${version}`,
    'Set up inbound AI phone calls: SignalWire number → SWML → LiveKit SIP → your agent, settings in Supabase.',
    '',
    'Usage: create-sip-inbound [command] [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'Every setting is a flag and an environment variable, read from -f/--env-file (default ./.env).',
    `Run "${tool()} <command> --help" for a command's options and settings.`,
    '',
    'Exit codes: 0 done, 1 a service or check failed, 2 bad input or usage, 130 cancelled.',
    '',
  ].join('\n');
}

export function commandHelp(c: CommandSpec): string {
  const lines = [`Usage: ${c.usage}`, '', c.summary.charAt(0).toUpperCase() + c.summary.slice(1) + '.'];
  if (c.description) lines.push('', c.description);
  if (Object.keys(c.options).length) lines.push('', 'Options:', ...optionLines(c.options));
  lines.push('', 'Global options:', ...optionLines(GLOBAL_OPTIONS));
  for (const g of c.groups) {
    const list = SETTINGS.filter((s) => s.group === g);
    lines.push('', `${GROUP_TITLE[g]}:`);
    const w = Math.max(...list.map((s) => s.flag.length + s.key.length + 5));
    for (const s of list) {
      const left = `--${s.flag} (${s.key})`;
      const dflt = 'default' in s && s.default ? ` [default: ${s.default}]` : '';
      lines.push(`  ${left.padEnd(w)}  ${s.help}${dflt}`);
    }
  }
  lines.push('', 'Examples:', ...c.examples.map((e) => `  ${e}`), '');
  return lines.join('\n');
}

function optionLines(options: Record<string, OptionSpec>): string[] {
  const rows = Object.entries(options).map(([name, o]) => {
    const [placeholder, text] = o.type === 'string' && o.help.startsWith('<') ? splitPlaceholder(o.help) : ['', o.help];
    const left = `${o.short ? `-${o.short}, ` : '    '}--${name}${placeholder ? ` ${placeholder}` : ''}`;
    return [left, text] as const;
  });
  const w = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, t]) => `  ${l.padEnd(w)}  ${t}`);
}

function splitPlaceholder(help: string): [string, string] {
  const m = /^(<[^>]+>)\s+(.*)$/.exec(help);
  return m ? [m[1]!, m[2]!] : ['', help];
}

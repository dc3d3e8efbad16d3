// What each command is, which options it takes and how to load it. Kept free of heavy imports:
// `--help` and argument parsing read only this file and settings.ts.
import { tool } from '../invocation.js';
import { SETTINGS } from '../settings.js';
import { SWML_PATH } from '../swml-path.js';
import { seconds, SWML_ENDPOINT_TIMEOUT_MS, SWML_HEADERS_TIMEOUT_MS } from '../timing.js';
import type { Context } from '../context.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Shown in --help; the value's placeholder comes first for string options, e.g. "<n>  seconds to wait". */
  help: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  /** Longer explanation shown in the command's --help. */
  description?: string;
  examples: string[];
  /** Command-specific options (besides the global ones and the setting flags). */
  options: Record<string, OptionSpec>;
  /** The settings (variable names) this command reads: its --help lists these (every setting flag is accepted everywhere). */
  settings: readonly string[];
  /** The global options that mean something to this command (--dry-run only where something changes). */
  globals: readonly string[];
  load: () => Promise<{ run: (ctx: Context) => Promise<number> }>;
}

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  'env-file': { type: 'string', short: 'f', help: '<path>  .env file to read and update (default ./.env; created when it does not exist)' },
  yes: { type: 'boolean', short: 'y', help: 'take defaults and existing values without asking' },
  'no-interactive': { type: 'boolean', help: 'never prompt; fail naming each missing value (also when stdin is not a TTY or CI is set)' },
  'dry-run': { type: 'boolean', help: 'show the plan and change nothing' },
  json: { type: 'boolean', help: 'print a machine-readable result' },
  help: { type: 'boolean', short: 'h', help: 'show help' },
  version: { type: 'boolean', short: 'v', help: 'print the version' },
};

// What each command reads, by variable name, for its --help: a setting it never reads is not offered.
const ALL_SETTINGS = SETTINGS.map((s) => s.key);
const LIVEKIT_API = ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'];
const SIP_LOGIN = ['LIVEKIT_SIP_DOMAIN', 'LIVEKIT_SIP_USERNAME', 'LIVEKIT_SIP_PASSWORD'];
const SUPABASE = ['SUPABASE_URL', 'SUPABASE_SERVICE_ROLE_KEY'];
const SIGNALWIRE_API = ['SIGNALWIRE_SPACE_URL', 'SIGNALWIRE_PROJECT_ID', 'SIGNALWIRE_API_TOKEN'];
/** The carrier and every other carrier's settings (a number on Twilio or Telnyx is checked and removed through them). */
const CARRIERS = SETTINGS.filter((s) => s.key === 'CARRIER' || s.group === 'twilio' || s.group === 'telnyx').map((s) => s.key);
const NUMBER_ROW = SETTINGS.filter((s) => s.store === 'number').map((s) => s.key);
/** The reads that find "the one number configured" (which-number.ts). */
const FIND_NUMBER = [...LIVEKIT_API, 'LIVEKIT_SIP_TRUNK_NAME', ...SUPABASE];
const READ_ONLY = ['env-file', 'no-interactive', 'json', 'help'];

export const COMMANDS: CommandSpec[] = [
  {
    name: 'setup',
    summary: 'guided setup (default): LiveKit, the carrier, database row, test call',
    usage: `${tool()} [setup] [options]`,
    description:
      'Asks for what is missing, checks each credential live, shows the plan, and applies it after one confirmation.\n' +
      'Run it again to update a number or add another: every answer is prefilled from .env, LiveKit and the database.',
    examples: [`${tool()}`, `${tool()} --yes --number +14244851544 --tts-voice Rachel`, `${tool()} --dry-run`],
    options: {
      'no-sip-auth': { type: 'boolean', help: 'leave digest auth off on the trunk (anyone with the SIP URI and number can reach the agent)' },
      'no-db': { type: 'boolean', help: 'do not touch the database; print the SQL instead' },
      'no-check': { type: 'boolean', help: 'skip the test-call check at the end' },
      agent: { type: 'string', help: '<python|none>  create the starter agent here (asked at a keyboard when none is here)' },
    },
    settings: ALL_SETTINGS,
    globals: Object.keys(GLOBAL_OPTIONS),
    load: () => import('./setup.js'),
  },
  {
    name: 'swml',
    summary: 'print the SWML document for SignalWire (or --format cxml / yaml)',
    usage: `${tool()} swml [--format json|yaml|cxml] [options]`,
    description:
      'Prints the SWML that connects a SignalWire call to LiveKit SIP. When stdout is not a terminal, only the\n' +
      'document is printed, so it can be piped (| pbcopy, > swml.json).',
    examples: [
      `${tool()} swml --livekit-sip-domain abc123xyz.sip.livekit.cloud | pbcopy`,
      `${tool()} swml --format cxml`,
    ],
    options: {
      format: { type: 'string', help: '<json|yaml|cxml>  output format (default json)' },
      copy: { type: 'boolean', help: 'copy the document to the clipboard without asking' },
      'show-password': { type: 'boolean', help: 'with --json on a terminal, show the SIP password (piped, it is always there)' },
    },
    settings: SIP_LOGIN,
    globals: ['env-file', 'yes', ...READ_ONLY.slice(1)],
    load: () => import('./swml.js'),
  },
  {
    name: 'sql',
    summary: 'print the SQL that registers the number (idempotent); --schema for the tables, --seed for example prompts',
    usage: `${tool()} sql [--number <e164>] [--schema] [--seed] [options]`,
    description:
      'Prints one statement that inserts the number or updates its row; run it twice and there is still one row.\n' +
      'Works whether or not "number" has a unique constraint. Paste it into the Supabase SQL editor.\n' +
      'Without --number: the one number configured (.env, the LiveKit trunk or the table).',
    examples: [`${tool()} sql --number "(424) 485-1544" --tts-voice Rachel`, `${tool()} sql --schema --seed | psql "$DATABASE_URL"`],
    options: {
      schema: { type: 'boolean', help: 'print the schema instead: tables and every column the wizard writes' },
      seed: { type: 'boolean', help: 'print the optional example prompts for the starter agent (after the schema with --schema)' },
    },
    settings: [...NUMBER_ROW, ...FIND_NUMBER],
    globals: READ_ONLY,
    load: () => import('./sql.js'),
  },
  {
    name: 'check',
    summary: 'test-call check: every hop, an agent probe, then (--live) a real call',
    usage: `${tool()} check [--number <e164>] [--live | --call] [options]`,
    description: 'Without --number: every number configured (LiveKit trunk, table), one block each.',
    examples: [`${tool()} check`, `${tool()} check --live --timeout 120`, `${tool()} check --call --yes`, `${tool()} check --call --leg livekit`],
    options: {
      live: { type: 'boolean', help: 'watch for a real call to the number' },
      call: { type: 'boolean', help: 'place a billed test call (asks first)' },
      leg: { type: 'string', help: '<full|livekit>  from a number of the space, or straight to LiveKit' },
      from: { type: 'string', help: '<e164>  the calling number (of the space, or verified)' },
      'call-seconds': { type: 'string', help: '<seconds>  longest the test call lasts (default 20)' },
      timeout: { type: 'string', help: '<seconds>  wait for the live call (default 120)' },
      'no-probe': { type: 'boolean', help: 'skip the agent probe' },
      'probe-timeout': { type: 'string', help: '<seconds>  wait for the agent to join (default 20)' },
      'no-db': { type: 'boolean', help: 'skip the database hop (managed elsewhere)' },
    },
    settings: [...LIVEKIT_API, ...SIP_LOGIN, 'AGENT_NAME', 'LIVEKIT_SIP_TRUNK_NAME', 'LIVEKIT_SIP_RULE_NAME', ...SUPABASE, 'PHONE_NUMBER',
      ...SIGNALWIRE_API, 'SIGNALWIRE_SIGNING_KEY', 'API_BASE_URL', ...CARRIERS],
    globals: ['env-file', 'yes', ...READ_ONLY.slice(1)],
    load: () => import('./check.js'),
  },
  {
    name: 'serve',
    summary: `serve POST/GET ${SWML_PATH} for SignalWire's "External URL"`,
    usage: `${tool()} serve [--port <n>] [--host <addr>] [--trust-proxy] [options]`,
    description:
      'With SIGNALWIRE_SIGNING_KEY set, every request must be signed for API_BASE_URL (the URL in the SignalWire\n' +
      'dashboard; any user:pass@ in it is not part of what SignalWire signs). Without API_BASE_URL, serve starts\n' +
      'only with --trust-proxy, and then checks the URL your proxy names in Forwarded or X-Forwarded-Proto/Host.\n' +
      `A client gets ${seconds(SWML_HEADERS_TIMEOUT_MS)} to send its headers and ${seconds(SWML_ENDPOINT_TIMEOUT_MS)} for the whole request.`,
    examples: [
      `${tool()} serve --port 8080 --api-base-url https://api.example.com`,
      `${tool()} serve --trust-proxy`,
      `curl "localhost:8080${SWML_PATH}?to=%2B14244851544"`,
    ],
    options: {
      port: { type: 'string', help: '<n>  port (alias --api-server-port; default API_SERVER_PORT, else 8080)' },
      host: { type: 'string', help: '<addr>  address (alias --api-server-host; default API_SERVER_HOST, else 0.0.0.0)' },
      'trust-proxy': { type: 'boolean', help: 'without API_BASE_URL: take the signed URL from Forwarded / X-Forwarded-* (your proxy only)' },
      'max-connections': { type: 'string', help: '<n>  refuse connections beyond this many open ones (default 256)' },
      insecure: { type: 'boolean', help: 'serve SIP credentials without a signing key' },
    },
    settings: [...SIP_LOGIN, 'SIGNALWIRE_SIGNING_KEY', 'API_SERVER_PORT', 'API_SERVER_HOST', 'API_BASE_URL'],
    globals: ['env-file', 'json', 'help'],
    load: () => import('./serve.js'),
  },
  {
    name: 'remove',
    summary: 'take a number off LiveKit, its carrier and the database, each confirmed (the row is set inactive, never deleted)',
    usage: `${tool()} remove [--number <e164>] [--yes] [--no-db]`,
    description: 'Without --number: the one number configured (.env, the LiveKit trunk or the table).',
    examples: [`${tool()} remove --number +14244851544`, `${tool()} remove --number +14244851544 --yes`],
    options: {
      'no-db': { type: 'boolean', help: 'leave the database row as it is' },
    },
    settings: [...LIVEKIT_API, 'LIVEKIT_SIP_TRUNK_NAME', 'LIVEKIT_SIP_RULE_NAME', ...SUPABASE, 'PHONE_NUMBER', ...SIGNALWIRE_API, 'API_BASE_URL', ...CARRIERS],
    globals: ['env-file', 'yes', 'no-interactive', 'dry-run', 'json', 'help'],
    load: () => import('./remove.js'),
  },
];

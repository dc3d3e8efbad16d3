// THE list of settings. Each entry drives its flag, environment variable, prompt (text, placeholder, hint,
// where to find it), which commands need it, validation, --help line, README row and masking. `key` is the
// environment variable name; per-number settings live in the database row (column) and are read from the
// environment too, but never written to .env.
import { LLM, STT, TTS } from './providers.js';
import { SWML_PATH } from './swml-path.js';

/** The name our LiveKit trunk and dispatch rule get unless the person names them. */
export const DEFAULT_NAME = 'create-sip-inbound';

/** What a command needs before it can run; 'check --call' is the check placing a real call. */
export type Need = 'setup' | 'check' | 'check --call' | 'remove' | 'swml' | 'sql' | 'serve';

export type Kind =
  | 'text' // free text
  | 'name' // an identifier-like name (agent, trunk, rule)
  | 'livekit-url' // wss:// or https:// (ws/http only for localhost)
  | 'supabase-url' // https:// (http only for localhost)
  | 'http-url' // https:// (http only for localhost)
  | 'signalwire-space' // a space name, host or URL, normalised to https://<space>.signalwire.com
  | 'host' // a bare host with an optional :port
  | 'phone' // any common format, normalised to E.164
  | 'port'; // 1-65535

export type Group = 'livekit' | 'supabase' | 'number' | 'providers' | 'signalwire' | 'twilio' | 'telnyx' | 'server';

export interface Setting {
  key: string;
  /** Other variable names read (never written) for the same setting. */
  aliases?: readonly string[];
  /** The long flag, without the leading dashes. */
  flag: string;
  group: Group;
  /** Where the value is kept: the .env file, or the number's database row. */
  store: 'env' | 'number';
  /** Database column, for per-number settings. */
  column?: string;
  kind: Kind;
  secret?: boolean;
  /** Prompt text. */
  label: string;
  /** One line for --help and the README. */
  help: string;
  /** The commands that cannot run without it (the database's settings only when the database is used: config.ts requiredFor). */
  requiredBy?: readonly Need[];
  /** Shown greyed in an empty prompt: an example of the value. */
  placeholder?: string;
  /** What the value is for, shown under the prompt. */
  hint?: string;
  /** Where to find the value, shown under the prompt, with `link` after it (a p_ or _ placeholder is filled in: dashboard-links.ts). */
  where?: string;
  link?: string;
  default?: string;
  /** Offered as a select in the wizard; free text remains possible unless `onlyChoices`. */
  choices?: readonly string[];
  /** Only the choices are valid (the agent understands no other value): no "Other…", and others are refused. */
  onlyChoices?: boolean;
  /** One of its carrier's credentials (the group names the carrier): they come together, all or none. */
  credential?: true;
}

const S = <const T extends readonly Setting[]>(list: T) => list;

const LK_PROJECT = 'https://cloud.livekit.io/projects/p_/settings/project';
const LK_KEYS = 'https://cloud.livekit.io/projects/p_/settings/keys';
const SW_CREDENTIALS = 'https://my.signalwire.com?page=credentials';
const TWILIO_CONSOLE = 'https://console.twilio.com';
const TELNYX_KEYS = 'https://portal.telnyx.com/#/api-keys';

/** The carriers a number can be on: src/carriers/index.ts holds one folder per id. */
export const CARRIER_IDS = ['signalwire', 'twilio', 'telnyx'] as const;
const LIVEKIT_NEEDED: readonly Need[] = ['setup', 'check', 'remove'];
const DB_NEEDED: readonly Need[] = ['setup', 'check'];
const first = (table: Record<string, unknown>) => Object.keys(table)[0]!;

/** A provider's API key: the agent needs it, the setup does not, so it is asked once and may be skipped. */
const agentKey = <K extends string, F extends string>(key: K, flag: F, vendor: string, link: string, where?: string, help = `${vendor} API key`) =>
  ({ key, flag, group: 'providers', store: 'env', kind: 'text', secret: true, label: `${vendor} API key`, help,
    hint: 'the agent needs it for the provider you chose (Enter to skip)', link, ...(where ? { where } : {}) }) as const;

export const SETTINGS = S([
  // LiveKit
  { key: 'LIVEKIT_URL', flag: 'livekit-url', group: 'livekit', store: 'env', kind: 'livekit-url', requiredBy: LIVEKIT_NEEDED,
    label: 'LiveKit URL', help: 'LiveKit server URL (wss://… or https://…)', placeholder: 'wss://my-app-abc123.livekit.cloud',
    where: 'LiveKit Cloud → Settings → Project → Project URL (or `lk project list`)', link: LK_PROJECT },
  { key: 'LIVEKIT_API_KEY', flag: 'livekit-api-key', group: 'livekit', store: 'env', kind: 'text', requiredBy: LIVEKIT_NEEDED,
    label: 'LiveKit API key', help: 'LiveKit API key', where: 'LiveKit Cloud → Settings → API keys', link: LK_KEYS },
  { key: 'LIVEKIT_API_SECRET', flag: 'livekit-api-secret', group: 'livekit', store: 'env', kind: 'text', secret: true, requiredBy: LIVEKIT_NEEDED,
    label: 'LiveKit API secret', help: 'LiveKit API secret', where: 'LiveKit Cloud → Settings → API keys (shown once, when the key is created)', link: LK_KEYS },
  { key: 'LIVEKIT_SIP_DOMAIN', flag: 'livekit-sip-domain', group: 'livekit', store: 'env', kind: 'host',
    requiredBy: ['setup', 'check', 'check --call', 'swml', 'serve'],
    label: 'LiveKit SIP domain', help: 'SIP URI host of the LiveKit project, e.g. abc123xyz.sip.livekit.cloud', placeholder: 'abc123xyz.sip.livekit.cloud',
    where: 'LiveKit Cloud → Settings → Project → "SIP URI" (the host, without "sip:")', link: LK_PROJECT },
  { key: 'LIVEKIT_SIP_USERNAME', flag: 'livekit-sip-username', group: 'livekit', store: 'env', kind: 'text',
    label: 'SIP digest username', help: 'Digest username the inbound trunk demands (generated by the wizard)' },
  { key: 'LIVEKIT_SIP_PASSWORD', flag: 'livekit-sip-password', group: 'livekit', store: 'env', kind: 'text', secret: true,
    label: 'SIP digest password', help: 'Digest password the inbound trunk demands (generated by the wizard)' },
  { key: 'AGENT_NAME', flag: 'agent-name', group: 'livekit', store: 'env', kind: 'name',
    label: 'Agent name', help: 'agent_name the worker registers; the dispatch rule names it (empty: automatic dispatch)',
    placeholder: 'e.g. inbound-agent (Enter for automatic dispatch)',
    hint: 'A worker with an agent_name joins only when the rule names it; one without joins every room. Leave it empty if your worker sets no agent_name.',
    where: 'the agent_name in your worker options' },
  { key: 'LIVEKIT_SIP_TRUNK_NAME', flag: 'livekit-sip-trunk-name', group: 'livekit', store: 'env', kind: 'name',
    label: 'Inbound trunk name', help: 'Name of the LiveKit inbound trunk to create or reuse', default: DEFAULT_NAME },
  { key: 'LIVEKIT_SIP_RULE_NAME', flag: 'livekit-sip-rule-name', group: 'livekit', store: 'env', kind: 'name',
    label: 'Dispatch rule name', help: 'Name of the LiveKit dispatch rule to create or reuse', default: DEFAULT_NAME },

  // Supabase
  { key: 'SUPABASE_URL', flag: 'supabase-url', group: 'supabase', store: 'env', kind: 'supabase-url', requiredBy: DB_NEEDED,
    label: 'Supabase URL', help: 'Supabase project URL (https://<ref>.supabase.co)', placeholder: 'https://<project-ref>.supabase.co',
    where: 'Supabase → Project Settings → Data API → Project URL', link: 'https://supabase.com/dashboard/project/_/settings/api' },
  { key: 'SUPABASE_SERVICE_ROLE_KEY', aliases: ['SUPABASE_SERVICE_KEY'], flag: 'supabase-service-role-key', group: 'supabase',
    store: 'env', kind: 'text', secret: true, requiredBy: DB_NEEDED,
    label: 'Supabase service role key', help: 'Supabase service-role key (sb_secret_… or the service_role JWT); SUPABASE_SERVICE_KEY is read too',
    where: 'Supabase → Project Settings → API Keys → secret (or legacy service_role)', link: 'https://supabase.com/dashboard/project/_/settings/api-keys' },

  // The number (its database row)
  { key: 'PHONE_NUMBER', flag: 'number', group: 'number', store: 'number', column: 'number', kind: 'phone',
    requiredBy: ['setup', 'check', 'remove', 'sql'],
    label: 'Phone number callers dial', help: 'The number callers dial, any common format (stored as E.164)', placeholder: '+1 424 485 1544' },
  { key: 'PHONE_NAME', flag: 'name', group: 'number', store: 'number', column: 'name', kind: 'text',
    label: 'Name for this number', help: 'A label for the number, e.g. Sales line', placeholder: 'e.g. Sales line (optional)' },
  { key: 'PHONE_STATUS', flag: 'status', group: 'number', store: 'number', column: 'status', kind: 'name',
    label: 'Status', help: 'active or inactive (the agent answers only an active number)', default: 'active', choices: ['active', 'inactive'],
    onlyChoices: true },
  { key: 'STT_PROVIDER', flag: 'stt-provider', group: 'number', store: 'number', column: 'stt_provider', kind: 'name',
    label: 'Speech-to-text provider', help: 'STT provider for this number', default: first(STT), choices: Object.keys(STT) },
  { key: 'STT_MODEL', flag: 'stt-model', group: 'number', store: 'number', column: 'stt_model', kind: 'text',
    label: 'Speech-to-text model', help: 'STT model, e.g. nova-2' },
  { key: 'TTS_PROVIDER', flag: 'tts-provider', group: 'number', store: 'number', column: 'tts_provider', kind: 'name',
    label: 'Text-to-speech provider', help: 'TTS provider for this number', default: first(TTS), choices: Object.keys(TTS) },
  { key: 'TTS_VOICE', flag: 'tts-voice', group: 'number', store: 'number', column: 'tts_voice', kind: 'text',
    label: 'Voice', help: 'TTS voice name or id' },
  { key: 'LLM_PROVIDER', flag: 'llm-provider', group: 'number', store: 'number', column: 'llm_provider', kind: 'name',
    label: 'LLM provider', help: 'LLM provider for this number', default: first(LLM), choices: Object.keys(LLM) },
  { key: 'LLM_MODEL', flag: 'llm-model', group: 'number', store: 'number', column: 'llm_model', kind: 'text',
    label: 'LLM model', help: 'LLM model, e.g. gpt-5' },

  // Provider API keys (only the chosen providers' are asked for; the agent needs them, the setup does not)
  agentKey('DEEPGRAM_API_KEY', 'deepgram-api-key', 'Deepgram', 'https://console.deepgram.com', 'Deepgram console → API Keys'),
  agentKey('ASSEMBLYAI_API_KEY', 'assemblyai-api-key', 'AssemblyAI', 'https://www.assemblyai.com/app/api-keys'),
  agentKey('ELEVENLABS_API_KEY', 'elevenlabs-api-key', 'ElevenLabs', 'https://elevenlabs.io/app/settings/api-keys'),
  agentKey('CARTESIA_API_KEY', 'cartesia-api-key', 'Cartesia', 'https://play.cartesia.ai/keys'),
  agentKey('OPENAI_API_KEY', 'openai-api-key', 'OpenAI', 'https://platform.openai.com/api-keys'),
  agentKey('ANTHROPIC_API_KEY', 'anthropic-api-key', 'Anthropic', 'https://console.anthropic.com/settings/keys'),
  agentKey('GROQ_API_KEY', 'groq-api-key', 'Groq', 'https://console.groq.com/keys'),
  agentKey('GOOGLE_API_KEY', 'google-api-key', 'Google', 'https://aistudio.google.com/apikey', undefined, 'Google (Gemini) API key'),

  // The carrier: detected from the credentials given (config.ts detectCarrier) unless named
  { key: 'CARRIER', flag: 'carrier', group: 'number', store: 'env', kind: 'name',
    label: 'Carrier of the number', help: `The carrier the number is on: ${CARRIER_IDS.join(', ')} (default: from the credentials given, else signalwire)`,
    choices: CARRIER_IDS },

  // SignalWire (optional for the setup: lets it point the number at the SWML itself)
  { key: 'SIGNALWIRE_PROJECT_ID', flag: 'signalwire-project-id', group: 'signalwire', store: 'env', credential: true, kind: 'text', requiredBy: ['check --call'],
    label: 'SignalWire project ID', help: 'SignalWire project ID', where: 'SignalWire → API → Project ID', link: SW_CREDENTIALS },
  { key: 'SIGNALWIRE_API_TOKEN', flag: 'signalwire-api-token', group: 'signalwire', store: 'env', credential: true, kind: 'text', secret: true, requiredBy: ['check --call'],
    label: 'SignalWire API token', help: 'SignalWire API token (Voice and Numbers scopes)',
    where: 'SignalWire → API → API Tokens (Numbers and Voice scopes)', link: SW_CREDENTIALS },
  { key: 'SIGNALWIRE_SPACE_URL', flag: 'signalwire-space-url', group: 'signalwire', store: 'env', credential: true, kind: 'signalwire-space', requiredBy: ['check --call'],
    label: 'SignalWire space URL', help: 'SignalWire space, e.g. example.signalwire.com', placeholder: 'example.signalwire.com',
    where: 'SignalWire → API → Space URL', link: SW_CREDENTIALS },
  { key: 'SIGNALWIRE_SIGNING_KEY', flag: 'signalwire-signing-key', group: 'signalwire', store: 'env', kind: 'text', secret: true,
    label: 'SignalWire signing key', help: `Signing key that verifies X-SignalWire-Signature on ${SWML_PATH}`,
    where: 'SignalWire → API → Signing Key', link: SW_CREDENTIALS },

  // Twilio (Elastic SIP Trunking: a trunk whose origination URL is the LiveKit SIP domain)
  { key: 'TWILIO_ACCOUNT_SID', flag: 'twilio-account-sid', group: 'twilio', store: 'env', credential: true, kind: 'text',
    label: 'Twilio Account SID', help: 'Twilio Account SID (AC…)', placeholder: 'AC…', where: 'Twilio Console → Account Info → Account SID', link: TWILIO_CONSOLE },
  { key: 'TWILIO_AUTH_TOKEN', flag: 'twilio-auth-token', group: 'twilio', store: 'env', credential: true, kind: 'text', secret: true,
    label: 'Twilio Auth Token', help: 'Twilio Auth Token', where: 'Twilio Console → Account Info → Auth Token', link: TWILIO_CONSOLE },
  { key: 'TWILIO_API_URL', flag: 'twilio-api-url', group: 'twilio', store: 'env', kind: 'http-url',
    label: 'Twilio API URL', help: "Base URL of Twilio's REST API (a proxy, or a test stand-in)", default: 'https://api.twilio.com' },
  { key: 'TWILIO_TRUNKING_URL', flag: 'twilio-trunking-url', group: 'twilio', store: 'env', kind: 'http-url',
    label: 'Twilio Trunking API URL', help: "Base URL of Twilio's Trunking API (a proxy, or a test stand-in)", default: 'https://trunking.twilio.com' },
  { key: 'TWILIO_INSIGHTS_URL', flag: 'twilio-insights-url', group: 'twilio', store: 'env', kind: 'http-url',
    label: 'Twilio Voice Insights URL', help: "Base URL of Twilio's Voice Insights API, which explains a failed test call (a proxy, or a test stand-in)", default: 'https://insights.twilio.com' },

  // Telnyx (an FQDN connection whose FQDN is the LiveKit SIP domain)
  { key: 'TELNYX_API_KEY', flag: 'telnyx-api-key', group: 'telnyx', store: 'env', credential: true, kind: 'text', secret: true,
    label: 'Telnyx API key', help: 'Telnyx API v2 key (KEY…)', placeholder: 'KEY…', where: 'Telnyx portal → Account settings → API Keys', link: TELNYX_KEYS },
  { key: 'TELNYX_API_URL', flag: 'telnyx-api-url', group: 'telnyx', store: 'env', kind: 'http-url',
    label: 'Telnyx API URL', help: "Base URL of Telnyx's API v2, without /v2 (a proxy, or a test stand-in)", default: 'https://api.telnyx.com' },

  // The API server (`serve`)
  { key: 'API_SERVER_PORT', flag: 'api-server-port', group: 'server', store: 'env', kind: 'port',
    label: 'API server port', help: 'Port `serve` listens on', default: '8080' },
  { key: 'API_SERVER_HOST', flag: 'api-server-host', group: 'server', store: 'env', kind: 'text',
    label: 'API server host', help: 'Address `serve` binds', default: '0.0.0.0' },
  { key: 'API_BASE_URL', flag: 'api-base-url', group: 'server', store: 'env', kind: 'http-url',
    label: 'Public base URL of the API server', help: 'Public URL where `serve` is reachable, e.g. https://api.example.com' },
] as const);

export type SettingKey = (typeof SETTINGS)[number]['key'];

/** Resolved values, by key. Absent means unset. */
export type Values = Partial<Record<SettingKey, string>>;

export const SETTING_BY_KEY: ReadonlyMap<string, Setting> = new Map(SETTINGS.map((s) => [s.key, s]));

export function setting(key: SettingKey): Setting {
  return SETTING_BY_KEY.get(key)!;
}

export const NUMBER_KEYS = SETTINGS.filter((s) => s.store === 'number').map((s) => s.key as SettingKey);

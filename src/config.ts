// Resolves settings: flag > process environment > --env-file. Live state (the trunk, the database row)
// fills what is still missing in the steps that observe it, and withDefaults() whatever remains.
import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { UsageError } from './errors.js';
import { SETTINGS, type Need, type Setting, type SettingKey, type Values } from './settings.js';
import { LLM, STT, TTS, type Provider } from './providers.js';
import { check, describe, SWAPPED } from './validate.js';

export type Source = 'flag' | 'env' | 'env-file' | 'lk-config' | 'live' | 'default';

export interface Resolved {
  values: Values;
  sources: Partial<Record<SettingKey, Source>>;
  /** The variable each value was read under, where it is another name for the setting (SUPABASE_SERVICE_KEY). */
  names?: Partial<Record<SettingKey, string>>;
  /** The .env file's text as read ('' when it does not exist), for merging on write. */
  envFileText: string;
  envFileExists: boolean;
}

export interface ResolveInput {
  /** Setting values given as flags, by key. */
  flags: Partial<Record<string, string>>;
  env: NodeJS.ProcessEnv;
  envFile: string;
}

/** Reads the .env file, or '' when it does not exist; any other failure is a UsageError naming it. */
export function readEnvFile(path: string): { text: string; exists: boolean } {
  try {
    return { text: readFileSync(path, 'utf8'), exists: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', exists: false };
    throw new UsageError(`Cannot read ${path}: ${(err as Error).message}`);
  }
}

export function resolveConfig(input: ResolveInput): Resolved {
  const file = readEnvFile(input.envFile);
  const fromFile = parseDotenv(file.text);
  const values: Values = {};
  const sources: Resolved['sources'] = {};
  const readAs: NonNullable<Resolved['names']> = {};
  const problems: string[] = [];

  for (const s of SETTINGS as readonly Setting[]) {
    const key = s.key as SettingKey;
    const names = [s.key, ...(s.aliases ?? [])];
    const found = pick(input.flags[key], 'flag') ?? pickNames(input.env, 'env') ?? pickNames(fromFile, 'env-file');
    if (found) {
      const r = check(s, found.raw, values);
      if (!r.ok) {
        const where = found.source === 'flag' ? `--${s.flag}` : found.source === 'env' ? `${found.name}` : `${found.name} in ${input.envFile}`;
        problems.push(`${where}: ${r.problem}`);
        continue;
      }
      if (r.value === '' && found.source !== 'flag') continue; // an empty line in .env means unset
      values[key] = r.value;
      sources[key] = found.source;
      if (found.name && found.name !== key) readAs[key] = found.name;
    }

    function pickNames(from: Record<string, string | undefined>, source: Source) {
      for (const n of names) {
        const r = pick(from[n], source, n);
        if (r) return r;
      }
      return undefined;
    }
  }
  // Both halves of one mix-up are one line.
  const swapped = problems.filter((p) => p.includes(SWAPPED));
  const report =
    swapped.length === 2
      ? [...problems.filter((p) => !p.includes(SWAPPED)), `${swapped.map((p) => p.split(':')[0]).join(' and ')}: ${SWAPPED}; the project ID is the UUID, the token starts with PT`]
      : problems;
  if (report.length) throw new UsageError(report.join('; '));
  return { values, sources, names: readAs, envFileText: file.text, envFileExists: file.exists };
}

function pick(raw: string | undefined, source: Source, name = '') {
  return raw === undefined ? undefined : { raw, source, name };
}

/**
 * The settings `command` cannot run without (each setting's requiredBy). With `db: false` (--no-db) the
 * database's settings drop out. Plain options, not the wizard's session, so every layer can ask.
 */
export function requiredFor(command: Need, options: { db?: boolean } = {}): SettingKey[] {
  const db = options.db ?? true;
  return (SETTINGS as readonly Setting[])
    .filter((s) => s.requiredBy?.includes(command) && (db || s.group !== 'supabase'))
    .map((s) => s.key as SettingKey);
}

/** Throws one UsageError naming every missing flag and variable. */
export function requireValues(values: Values, keys: readonly SettingKey[], why = 'Missing (give each as a flag, or set it in the environment or .env)'): void {
  const missing = keys.filter((k) => !values[k]);
  if (!missing.length) return;
  const names = missing.map((k) => describe(SETTINGS.find((s) => s.key === k) as Setting));
  throw new UsageError(`${why}: ${names.join(', ')}`);
}

/** Fills what is still unset: each setting's default, then the chosen providers' first suggested model and voice. */
export function withDefaults(values: Values): Values {
  const out: Values = { ...values };
  for (const s of SETTINGS as readonly Setting[]) {
    const key = s.key as SettingKey;
    if (out[key] === undefined && s.default !== undefined) out[key] = s.default;
  }
  const first = (table: Record<string, Provider>, provider: string | undefined) => table[provider ?? '']?.suggest[0];
  out.STT_MODEL ??= first(STT, out.STT_PROVIDER);
  out.TTS_VOICE ??= first(TTS, out.TTS_PROVIDER);
  out.LLM_MODEL ??= first(LLM, out.LLM_PROVIDER);
  for (const k of Object.keys(out) as SettingKey[]) if (out[k] === undefined) delete out[k];
  return out;
}

/**
 * The number's carrier: CARRIER (--carrier) when given, else the one whose credentials are in the environment or
 * .env (Twilio's, then Telnyx's, before SignalWire's, which are optional for the setup), else SignalWire.
 */
export function carrierOf(values: Values): string {
  if (values.CARRIER) return values.CARRIER;
  if (values.TWILIO_ACCOUNT_SID) return 'twilio';
  if (values.TELNYX_API_KEY) return 'telnyx';
  return 'signalwire';
}

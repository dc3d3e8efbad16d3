// How a message names a setting: as the person gave it. A flag by the flag, a variable by its name (and
// the file it is in), a typed value by its prompt, so no message sends someone to a variable they never set.
// Recorded once per run, as the values arrive (cli.ts for flags and files, the wizard's session for answers).
import { setting, type SettingKey } from './settings.js';

export type Given = 'flag' | 'env' | 'env-file' | 'prompt' | 'other';

const given = new Map<string, Given>();
/** The variable a value was read under when it is another name for the setting (SUPABASE_SERVICE_KEY). */
const aliases = new Map<string, string>();
let envFile = '.env';

/** Where each setting's value came from; `file` is the .env file read; `names`, variables read under another name. */
export function noteGiven(sources: Partial<Record<string, string>>, file?: string, names: Partial<Record<string, string>> = {}): void {
  if (file) envFile = file;
  for (const [key, source] of Object.entries(sources)) if (source) noteOne(key, source);
  for (const [key, name] of Object.entries(names)) if (name) aliases.set(key, name);
}

/** One setting's origin (a session Origin or a config Source); an unset value forgets it. */
export function noteOne(key: string, source: string | undefined): void {
  // A value given anew is no longer the one read under another name.
  if (source !== 'env' && source !== 'env-file') aliases.delete(key);
  if (!source) given.delete(key);
  else given.set(key, source === 'flag' || source === 'env' || source === 'env-file' || source === 'prompt' ? source : 'other');
}

/**
 * The setting as the person knows it: `--livekit-api-key`, `LIVEKIT_API_KEY`, `LIVEKIT_API_KEY in .env`, or
 * the prompt's label ("the LiveKit API key you typed"). Unknown (a library call, a test): the variable.
 */
export function settingName(key: SettingKey): string {
  const s = setting(key);
  switch (given.get(key)) {
    case 'flag':
      return `--${s.flag}`;
    case 'env':
      return aliases.get(key) ?? key;
    case 'env-file':
      return `${aliases.get(key) ?? key} in ${envFile}`;
    case 'prompt':
      return `the ${s.label} you typed`;
    case 'other':
      return `the ${s.label}`;
    default:
      return key;
  }
}

/** Forget every origin: a new session starts from its own sources. */
export function forgetGiven(): void {
  given.clear();
  aliases.clear();
  envFile = '.env';
}

/** settingName() at the start of a sentence. */
export function SettingName(key: SettingKey): string {
  const n = settingName(key);
  return n.charAt(0).toUpperCase() + n.slice(1);
}

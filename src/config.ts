// Resolves settings: flag > process environment > --env-file > default. Live state (the trunk, the
// database row) fills what is still missing later, in the steps that observe it.
import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { UsageError } from './errors.js';
import { SETTINGS, type Setting, type SettingKey, type Values } from './settings.js';
import { check, describe } from './validate.js';

export type Source = 'flag' | 'env' | 'env-file' | 'default';

export interface Resolved {
  values: Values;
  sources: Partial<Record<SettingKey, Source>>;
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
  const problems: string[] = [];

  for (const s of SETTINGS as readonly Setting[]) {
    const key = s.key as SettingKey;
    const names = [s.key, ...(s.aliases ?? [])];
    const found = pick(input.flags[key], 'flag') ?? pickNames(input.env, 'env') ?? pickNames(fromFile, 'env-file');
    if (found) {
      const r = check(s, found.raw);
      if (!r.ok) {
        const where = found.source === 'flag' ? `--${s.flag}` : found.source === 'env' ? `${found.name}` : `${found.name} in ${input.envFile}`;
        problems.push(`${where}: ${r.problem}`);
        continue;
      }
      if (r.value === '' && found.source !== 'flag') continue; // an empty line in .env means unset
      values[key] = r.value;
      sources[key] = found.source;
    } else if (s.default !== undefined) {
      values[key] = s.default;
      sources[key] = 'default';
    }

    function pickNames(from: Record<string, string | undefined>, source: Source) {
      for (const n of names) {
        const r = pick(from[n], source, n);
        if (r) return r;
      }
      return undefined;
    }
  }
  if (problems.length) throw new UsageError(problems.join('; '));
  return { values, sources, envFileText: file.text, envFileExists: file.exists };
}

function pick(raw: string | undefined, source: Source, name = '') {
  return raw === undefined ? undefined : { raw, source, name };
}

/** Throws one UsageError naming every missing flag and variable. */
export function requireValues(values: Values, keys: readonly SettingKey[], why = 'Missing'): void {
  const missing = keys.filter((k) => !values[k]);
  if (!missing.length) return;
  const names = missing.map((k) => describe(SETTINGS.find((s) => s.key === k) as Setting));
  throw new UsageError(`${why}: ${names.join(', ')}`);
}

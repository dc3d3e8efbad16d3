// Hop 1: the settings every other hop (and the agent) needs are present, and the ones that come in
// sets are complete. Says where they came from, since the agent reads the same .env file.
import { tool } from '../invocation.js';
import { parse } from 'dotenv';
import { carrierCredentialKeys, readEnvFile, requiredFor } from '../config.js';
import { CARRIERS } from '../carriers/index.js';
import { setting, SETTINGS, type SettingKey, type Values } from '../settings.js';
import { describe } from '../validate.js';
import type { Hop } from './types.js';

/** What the check needs to run at all, with the database (config.ts requiredFor). */
export const REQUIRED: readonly SettingKey[] = requiredFor('check');

const ALL = ['', '', 'both', 'all three', 'all four'];

/**
 * Settings that only work together: one without the others is a half-finished setup. Each carrier's credentials
 * are one set (settings.ts marks them), so the rule holds for every carrier in the registry.
 */
const SETS: ReadonlyArray<{ keys: readonly SettingKey[]; why: string }> = [
  { keys: ['LIVEKIT_SIP_USERNAME', 'LIVEKIT_SIP_PASSWORD'], why: 'the carrier answers the trunk’s digest challenge with both' },
  ...Object.values(CARRIERS)
    .map((c) => ({ keys: carrierCredentialKeys(c.id), label: c.label }))
    .filter((s) => s.keys.length > 1)
    .map((s) => ({ keys: s.keys, why: `the ${s.label} API needs ${ALL[s.keys.length] ?? 'all of them'}` })),
];

export const ENV_HOP = { id: 'env', title: '.env complete' } as const;

export function envHop(values: Values, envFile: string, required: readonly SettingKey[] = REQUIRED): Hop {
  const missing = required.filter((k) => !values[k]);
  const partial = SETS.filter((s) => s.keys.some((k) => values[k]) && !s.keys.every((k) => values[k]));
  const name = (k: SettingKey) => describe(setting(k));

  if (missing.length) {
    return {
      ...ENV_HOP,
      ok: false,
      detail: `missing ${missing.map(name).join(', ')}`,
      fix: `set them in ${envFile} (or run the wizard: ${tool()})`,
    };
  }
  if (partial.length) {
    const s = partial[0]!;
    const absent = s.keys.filter((k) => !values[k]);
    return {
      ...ENV_HOP,
      ok: false,
      detail: `${absent.map(name).join(', ')} missing while ${s.keys.filter((k) => values[k]).join(', ')} is set`,
      fix: `set all of ${s.keys.join(', ')} or none (${s.why})`,
    };
  }
  return { ...ENV_HOP, ok: true, detail: whereFrom(envFile) };
}

/** "from ./.env", or which required settings the file lacks (the agent, reading only the file, would miss them). */
function whereFrom(envFile: string): string {
  const file = readEnvFile(envFile);
  if (!file.exists) return `the check's ${REQUIRED.length} settings present (no ${envFile}: they came from flags or the environment)`;
  const inFile = parse(file.text);
  const has = (k: SettingKey) => [k, ...(setting(k).aliases ?? [])].some((n) => inFile[n]);
  const elsewhere = REQUIRED.filter((k) => !has(k) && setting(k).store === 'env');
  // Counted as written: every setting of ours the file holds, not only the ones the check needs.
  const ours = SETTINGS.filter((x) => [x.key, ...(setting(x.key).aliases ?? [])].some((n) => inFile[n])).length;
  if (!elsewhere.length) return `${ours} settings in ${envFile}, with the ${REQUIRED.length} the check needs`;
  return `the check's ${REQUIRED.length} settings present; not in ${envFile}: ${elsewhere.join(', ')} (the agent may need them there)`;
}

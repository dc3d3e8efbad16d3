// Step 3: the number and its settings. Any common format, shown back as E.164; a rerun prefills the
// row's values; the providers' API keys are asked only when .env does not hold them (nor an empty line
// left by an earlier skip).
import { LLM, STT, TTS, providerKeyVars, type Provider } from '../providers.js';
import { NUMBER_KEYS, setting, type SettingKey } from '../settings.js';
import { parse } from 'dotenv';
import { withDefaults } from '../config.js';
import { dim, red } from '../ui.js';
import { ServiceError } from '../errors.js';
import { askChoice, askSecret, askText, confirm, say } from './ask.js';
import { fillFromLive, set, wants, type Session } from './session.js';
import { numberRow } from './reads.js';
import { spin } from './spin.js';

export async function askNumber(s: Session): Promise<void> {
  if (wants(s, 'PHONE_NUMBER') && !(s.mode === 'update' && s.values.PHONE_NUMBER)) {
    await askText(s, 'PHONE_NUMBER');
    if (s.prompts) await say('info', `Using ${s.values.PHONE_NUMBER} ${dim('(E.164, as LiveKit matches it)')}`);
  }
  await prefillFromDatabase(s);

  if (wants(s, 'PHONE_NAME')) await askText(s, 'PHONE_NAME');
  if (wants(s, 'PHONE_STATUS')) await askChoice(s, 'PHONE_STATUS');
  await askProvider(s, 'STT_PROVIDER', 'STT_MODEL', STT);
  await askProvider(s, 'TTS_PROVIDER', 'TTS_VOICE', TTS);
  await askProvider(s, 'LLM_PROVIDER', 'LLM_MODEL', LLM);
  const filled = withDefaults(s.values);
  for (const key of NUMBER_KEYS) if (!s.values[key] && filled[key]) set(s, key, filled[key], 'default');

  // A key left empty at its prompt is written as `KEY=` (dotenv reads it as empty, the agent as unset):
  // the next run sees the empty line and does not ask again. Typing one in .env ends that.
  const inFile = parse(s.ctx.envFileText);
  for (const keyVar of providerKeyVars({ stt: s.values.STT_PROVIDER, tts: s.values.TTS_PROVIDER, llm: s.values.LLM_PROVIDER })) {
    const key = keyVar as SettingKey;
    if (s.values[key]) continue;
    const skippedBefore = inFile[keyVar] === '';
    if (s.prompts && !s.ctx.yes && !skippedBefore) {
      await askSecret(s, key);
      if (!s.values[key]) s.skipped.add(key);
    }
    if (!s.values[key])
      s.notes.push(`${keyVar} is not set${skippedBefore ? ` (left empty in ${s.ctx.envFile})` : ''}: the agent needs it for the provider you chose.`);
  }
}

async function askProvider(s: Session, providerKey: SettingKey, modelKey: SettingKey, table: Record<string, Provider>) {
  const before = s.values[providerKey];
  if (wants(s, providerKey)) await askChoice(s, providerKey);
  const provider = s.values[providerKey] ?? setting(providerKey).default!;
  const suggest = table[provider]?.suggest ?? [];
  // A new provider makes the old model meaningless: offer the new provider's first.
  if (before && before !== provider && s.origin[modelKey] !== 'flag') delete s.values[modelKey];
  if (wants(s, modelKey)) {
    if (suggest.length) await askChoice(s, modelKey, suggest);
    else await askText(s, modelKey);
  }
}

/** On a rerun, the number's row fills every per-number value the person did not give. */
async function prefillFromDatabase(s: Session): Promise<void> {
  if (s.ctx.options['no-db'] || !s.values.SUPABASE_URL) return;
  const { supabaseConn } = await import('../services/supabase.js');
  const read = () =>
    spin(s, `Looking up ${s.values.PHONE_NUMBER} in the database…`, () => numberRow(s, supabaseConn(s.values)!, s.values.PHONE_NUMBER!), { quiet: true });
  let row: Awaited<ReturnType<typeof read>>;
  for (;;) {
    try {
      row = await read();
      break;
    } catch (err) {
      // The key was accepted a moment ago: this is the network or Supabase. Waiting beats losing the answers.
      if (!s.prompts || !(err instanceof ServiceError)) throw err;
      await say('error', red(err.message));
      if (!(await confirm('Try again?'))) throw err;
    }
  }
  if (!row) return;
  // The setup puts the number in service: a row left inactive (by `remove`) becomes active again when the
  // number is added back. An update of a number already on the trunk keeps the status the person chose.
  const status = row.values.PHONE_STATUS;
  if (status && status !== 'active' && s.mode !== 'update' && !s.values.PHONE_STATUS) set(s, 'PHONE_STATUS', 'active', 'generated');
  if (row.matches > 1) s.notes.push(`${row.matches} rows in signalwire_phone_numbers hold ${s.values.PHONE_NUMBER}; all are updated. Delete the extra ones.`);
  for (const [key, value] of Object.entries(row.values)) fillFromLive(s, key as SettingKey, value);
}

// Hop: the number's row in signalwire_phone_numbers exists, is active, and holds the per-number settings
// given to the check (the agent reads its voice, models and prompt from this row).
import { tool } from '../invocation.js';
import { NUMBER_KEYS, SETTINGS, setting, type Values } from '../settings.js';
import { oneLine, redactLine } from '../redact.js';
import type { NumberRow } from '../services/supabase.js';
import type { Hop } from './types.js';

export const DATABASE_HOP = { id: 'database', title: 'Database row for the number' } as const;

/** `read`: the row already read (the setup's plan or its apply, or a read started earlier); else it is read here. */
export async function databaseHop(values: Values, read?: Promise<NumberRow | undefined>): Promise<Hop> {
  const e164 = values.PHONE_NUMBER!;
  const title = `Database row for ${e164}`;
  const { GrantMissingError, readNumberRow, supabaseConn } = await import('../services/supabase.js');
  let row: NumberRow | undefined;
  try {
    row = await (read ?? readNumberRow(supabaseConn(values)!, e164));
  } catch (err) {
    // The agent reads with the service-role key too: without the grant it finds no settings either.
    if (err instanceof GrantMissingError)
      return {
        ...DATABASE_HOP,
        title,
        ok: false,
        detail: `Supabase denies the service-role key access to ${err.table} (42501): the agent cannot read its settings`,
        fix: `grant it to service_role in Supabase → SQL Editor: ${err.sql.trim().replace(/\n/g, ' ')}`,
      };
    return {
      ...DATABASE_HOP,
      title,
      ok: false,
      detail: oneLine(err, values),
      fix: `check SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY; create the tables with \`${tool()} sql --schema\` if they are missing`,
    };
  }
  if (!row)
    return {
      ...DATABASE_HOP,
      title,
      ok: false,
      detail: `no row for ${e164} in signalwire_phone_numbers: the agent finds no settings for it`,
      fix: `rerun ${tool()} --number ${e164}, or paste \`${tool()} sql --number ${e164}\` into Supabase → SQL Editor`,
    };

  // The agent looks the row up by the called number as LiveKit gives it: E.164.
  if (!row.storedAsE164)
    return {
      ...DATABASE_HOP,
      title,
      ok: false,
      detail: `the row holds the number as "${row.storedNumber}", not ${e164}: an agent looking up ${e164} finds nothing`,
      fix: `rerun ${tool()} --number ${e164} to rewrite it as E.164`,
    };
  const differs: string[] = [];
  for (const key of NUMBER_KEYS) {
    if (key === 'PHONE_NUMBER' || values[key] === undefined) continue;
    const have = row.values[key] ?? '';
    if (have !== values[key]) differs.push(`${setting(key).column} is "${have}", settings say "${values[key]}"`);
  }
  if (differs.length)
    return {
      ...DATABASE_HOP,
      title,
      ok: false,
      detail: `the row differs: ${differs.join('; ')}`,
      fix: `rerun ${tool()} --number ${e164} to update the row (or drop those flags/variables to keep the row's values)`,
    };
  const status = row.values.PHONE_STATUS;
  if (status && status !== 'active')
    return {
      ...DATABASE_HOP,
      title,
      ok: false,
      detail: `the row's status is "${status}": an agent that honours it will not take the call`,
      fix: `rerun ${tool()} --number ${e164} --status active`,
    };
  const summary = (['TTS_PROVIDER', 'TTS_VOICE', 'LLM_MODEL'] as const).map((k) => row.values[k]).filter(Boolean).join(', ');
  return { ...DATABASE_HOP, title, ok: true, detail: `row found${summary ? ` (${summary})` : ''}` };
}

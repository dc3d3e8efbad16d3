// Step 2: Supabase. URL and service key, checked live; a missing table gets the schema to paste.
import { CancelledError, UsageError } from '../errors.js';
import { renderSchema } from '../render/sql.js';
import { clack, print, yellow } from '../ui.js';
import { askVerified, confirm } from './ask.js';
import type { Session } from './session.js';
import { spin } from './spin.js';

export async function askSupabase(s: Session): Promise<void> {
  if (s.ctx.options['no-db']) return;
  const { checkSupabase, supabaseConn } = await import('../services/supabase.js');
  await askVerified(
    s,
    [{ key: 'SUPABASE_URL', placeholder: 'https://<project-ref>.supabase.co' }, { key: 'SUPABASE_SERVICE_ROLE_KEY', secret: true }],
    async () => {
      for (;;) {
        const r = await spin(s, 'Checking the Supabase key…', () => checkSupabase(supabaseConn(s.values)!));
        if (r.keyWarning) await warn(s, r.keyWarning);
        if (!r.tableMissing) return;
        await waitForSchema(s);
      }
    },
  );
}

/** The table is missing: hand over the schema and wait until the person has run it. */
async function waitForSchema(s: Session): Promise<void> {
  if (!s.prompts)
    throw new UsageError('Supabase has no signalwire_phone_numbers table: run `create-sip-inbound sql --schema` in the SQL editor, then run this again');
  (await clack()).log.warn('The table signalwire_phone_numbers does not exist yet. Paste this into Supabase → SQL Editor and run it:');
  print(`\n${renderSchema()}\n`);
  // Declining is a choice, not a wrong credential: end the run rather than ask for the key again.
  if (!(await confirm('Done? Check again'))) throw new CancelledError('Create the table first (create-sip-inbound sql --schema), then run this again.');
}

async function warn(s: Session, text: string) {
  if (s.prompts) (await clack()).log.warn(yellow(text));
  s.notes.push(text);
}

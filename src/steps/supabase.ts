// Step 2: Supabase. URL and service key, checked live; a missing table gets the schema to paste.
import { UsageError } from '../errors.js';
import { renderSchema } from '../render/sql.js';
import { clack, print, red, yellow } from '../ui.js';
import { askSecret, askText, confirm } from './ask.js';
import { wants, type Session } from './session.js';
import { spin } from './spin.js';

export async function askSupabase(s: Session): Promise<void> {
  if (s.ctx.options['no-db']) return;
  const { checkSupabase, supabaseConn } = await import('../services/supabase.js');
  let again = false;
  for (;;) {
    if (again || wants(s, 'SUPABASE_URL', true)) await askText(s, 'SUPABASE_URL', { required: true, placeholder: 'https://<project-ref>.supabase.co' });
    if (again || wants(s, 'SUPABASE_SERVICE_ROLE_KEY', true)) await askSecret(s, 'SUPABASE_SERVICE_ROLE_KEY', { required: true });
    try {
      const r = await spin(s, 'Checking the Supabase key…', () => checkSupabase(supabaseConn(s.values)!));
      if (r.keyWarning) await warn(s, r.keyWarning);
      if (!r.tableMissing) break;
      if (!s.prompts)
        throw new UsageError('Supabase has no signalwire_phone_numbers table: run `create-sip-inbound sql --schema` in the SQL editor, then run this again');
      const c = await clack();
      c.log.warn('The table signalwire_phone_numbers does not exist yet. Paste this into Supabase → SQL Editor and run it:');
      print(`\n${renderSchema()}\n`);
      if (!(await confirm('Done? Check again'))) throw new UsageError('Create the table first: create-sip-inbound sql --schema');
    } catch (err) {
      if (!s.prompts || !(err instanceof UsageError) || /Create the table/.test(err.message)) throw err;
      (await clack()).log.error(red(err.message));
      again = true;
    }
  }
}

async function warn(s: Session, text: string) {
  if (s.prompts) (await clack()).log.warn(yellow(text));
  s.notes.push(text);
}

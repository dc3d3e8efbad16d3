// Step 2: Supabase. URL and service key, checked live; a key of the wrong kind is refused and asked again;
// a missing table gets the schema to paste, a table not granted to service_role the GRANT lines. Both wait
// for "Done? Check again", so nothing (no trunk) is created before the database is usable.
import { tool } from '../invocation.js';
import { CancelledError, UsageError } from '../errors.js';
import { renderSchema, schemaTables } from '../render/sql.js';
import type { GrantMissingError, SupabaseConn } from '../services/supabase.js';
import { clack, print } from '../ui.js';
import { askVerified, confirm } from './ask.js';
import type { Session } from './session.js';
import { supabaseChecked } from './reads.js';
import { spin } from './spin.js';

/** The connection Supabase accepted (table there and granted); undefined with --no-db. */
export async function askSupabase(s: Session): Promise<SupabaseConn | undefined> {
  if (s.ctx.options['no-db']) return undefined;
  const { supabaseConn } = await import('../services/supabase.js');
  await askVerified(
    s,
    ['SUPABASE_URL', 'SUPABASE_SERVICE_ROLE_KEY'],
    async () => {
      for (;;) {
        // With the number known, the key check is the read of its row.
        const r = await spin(s, 'Checking the Supabase key…', () => supabaseChecked(s, supabaseConn(s.values)!, s.values.PHONE_NUMBER));
        if (r.tableMissing) await waitForSchema(s);
        else if (r.grantMissing) await waitForGrant(s, r.grantMissing);
        else return;
      }
    },
  );
  return supabaseConn(s.values);
}

/** The table is missing: hand over the schema and wait until the person has run it. */
async function waitForSchema(s: Session): Promise<void> {
  // Named in full: the schema also creates the starter agent's tables, which a person may not expect.
  const creates = `it creates ${new Intl.ListFormat('en', { type: 'conjunction' }).format(schemaTables())}`;
  if (!s.prompts)
    throw new UsageError(`Supabase has no signalwire_phone_numbers table: run \`${tool()} sql --schema\` in the SQL editor (${creates}), then run this again`);
  (await clack()).log.warn(`The table signalwire_phone_numbers does not exist yet. Paste this into Supabase → SQL Editor and run it (${creates}):`);
  print(`\n${renderSchema()}\n`);
  // Declining is a choice, not a wrong credential: end the run rather than ask for the key again.
  if (!(await confirm('Done? Check again'))) throw new CancelledError('Create the table first (create-sip-inbound sql --schema), then run this again.');
}

/** The table exists but service_role may not use it (today's Supabase grants new tables to nobody). */
async function waitForGrant(s: Session, err: GrantMissingError): Promise<void> {
  // Without prompts the error is the one line (exit 2), SQL included.
  if (!s.prompts) throw err;
  (await clack()).log.warn(`Supabase denies the service-role key access to ${err.table}: grant it to service_role. Paste this into Supabase → SQL Editor and run it:`);
  print(`\n${err.sql}\n`);
  if (!(await confirm('Done? Check again'))) throw new CancelledError(`Grant ${err.table} to service_role first, then run this again.`);
}

// What the tests share as data: the phone numbers they use, the default names, and the tables found in
// the field (older shapes of the numbers table) that the Supabase and SQL tests start from.

// ── Numbers: US numbers in the right shape, none of them anyone's line ──
export const NUMBER = '+14244851544'; // the number being set up
export const NUMBER_NO_PLUS = '14244851544'; // as tables and trunks in the field hold it
export const NUMBER_NATIONAL = '4244851544';
export const NEXT_NUMBER = '+14244851545'; // the next in its block: a second number for the same trunk
export const SECOND_NUMBER = '+14155550123'; // a second number of the space, added by a later run
export const OTHER_NUMBER = '+13105550100'; // another number of the space, left alone
export const THEIR_NUMBER = '+16505550100'; // on someone else's trunk or rule filter
export const UNRELATED_NUMBER = '+15550001111'; // in someone else's row, or on their hand-made trunk
export const CALLER = '+16505300051'; // who calls

/** The trunk's, the rule's and the SWML script's default name; the agent's; the numbers table. */
export const [DEFAULT_NAME, AGENT_NAME, TABLE] = ['create-sip-inbound', 'inbound-agent', 'signalwire_phone_numbers'] as const;

// ── Tables found in the field ──
/** The columns of the guide's table, before the project's own (id serial, no unique number, no timestamps). */
export const OLD_COLUMNS = ['number', 'name', 'status', 'stt_provider', 'stt_model', 'tts_provider', 'tts_voice', 'llm_provider', 'llm_model'] as const;

/** An older numbers table: a serial id and the given text columns, no unique constraint, no grants. */
export function oldTable(columns: readonly string[] = OLD_COLUMNS, table: string = TABLE): string {
  return `CREATE TABLE ${table} (id serial PRIMARY KEY, ${columns.map((c) => `${c} text`).join(', ')});\n`;
}

/** The older table without some of its columns. */
export const oldTableWithout = (...missing: string[]): string => oldTable(OLD_COLUMNS.filter((c) => !missing.includes(c)));

/** What a table created before 2026-10-30 kept: every API role granted everything (RLS off). */
export const OLD_GRANTS = `GRANT ALL ON ${TABLE} TO anon, authenticated, service_role;
GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO anon, authenticated, service_role;
`;

/** The older table with the grants of its day. */
export const OLD_TABLE = oldTable() + OLD_GRANTS;

// SQL text for the Supabase SQL editor. Every value goes through sqlLiteral(); identifiers come only
// from the settings list, never from input.
import { withDefaults } from '../config.js';
import { readTemplate } from '../templates.js';
import { SETTINGS, type Values } from '../settings.js';

export const NUMBERS_TABLE = 'signalwire_phone_numbers';

/** The per-number settings in column order: [setting key, column]. */
export const NUMBER_COLUMNS = SETTINGS.filter((s) => s.store === 'number').map((s) => [s.key, s.column!] as const);

/**
 * A SQL string literal that means exactly `value`, whatever standard_conforming_strings says:
 * plain '…' with doubled quotes, or E'…' with escaped backslashes when there are any.
 */
export function sqlLiteral(value: string | null | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  if (value.includes('\0')) throw new Error('SQL text cannot contain a NUL character');
  const quoted = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

/** The forms a number may be stored in: E.164, and for NANP numbers the 10-digit national form. */
export function storedForms(e164: string): string[] {
  return e164.startsWith('+1') && e164.length === 12 ? [e164, e164.slice(2)] : [e164];
}

/** Columns and values to write for a number: the number itself (E.164) plus every per-number setting given. */
export function numberRow(values: Values): Array<[column: string, value: string]> {
  return NUMBER_COLUMNS.filter(([key]) => values[key] !== undefined).map(([key, column]) => [column, values[key]!]);
}

/**
 * One idempotent block that registers the number: it updates the row(s) holding the number in E.164 or its
 * stored 10-digit form (normalising it to E.164, the form LiveKit reports), setting only the columns `given`
 * and bumping updated_at where the table has it; or, when no row matches, inserts one with the defaults
 * filled in. It needs no unique constraint on number.
 */
export function renderNumberSql(given: Values): string {
  const number = given.PHONE_NUMBER;
  if (!number) throw new Error('renderNumberSql needs PHONE_NUMBER');
  const update = numberRow(given);
  const insert = numberRow(withDefaults(given));
  const fill: Record<string, string> = {
    e164: number,
    number: sqlLiteral(number),
    assignments: update.map(([c, v]) => `${c} = ${sqlLiteral(v)}`).join(',\n         '),
    match: storedForms(number).map(sqlLiteral).join(', '),
    columns: insert.map(([c]) => c).join(', '),
    values: insert.map(([, v]) => sqlLiteral(v)).join(', '),
    table: sqlLiteral(NUMBERS_TABLE),
  };
  // The block is dollar-quoted: its tag must occur in no value, or a value could end the block early.
  const template = readTemplate('phone-number.sql');
  const text = template + Object.values(fill).join('\n');
  let tag = '$csi$';
  for (let i = 1; text.includes(tag); i++) tag = `$csi${i}$`;
  // One pass over the template, so nothing inside a filled-in value is ever replaced again.
  return template.replace(/\{\{(\w+)\}\}|\$TAG\$/g, (m, name?: string) => (name ? fill[name] ?? '' : tag));
}

/** GRANT lines that open a table to the service-role key (what Supabase no longer does by itself). */
export function renderGrants(table: string = NUMBERS_TABLE): string {
  return (
    `GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE ${table} TO service_role;\n` +
    'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO service_role;\n'
  );
}

/**
 * ALTER lines that add the given columns to the numbers table, for a table that lacks them, with the grant
 * lines (idempotent): a table old enough to lack columns may also be one that was never granted.
 */
export function renderAddColumns(columns: readonly string[]): string {
  return columns.map((c) => `ALTER TABLE ${NUMBERS_TABLE} ADD COLUMN IF NOT EXISTS ${c} text;`).join('\n') + '\n' + renderGrants();
}

export function renderSchema(): string {
  return readTemplate('schema.sql');
}

/** The optional example data for the starter agent: one prompt per call type, never overwriting one. */
export function renderSeed(): string {
  return readTemplate('seed.sql');
}

/** The tables schema.sql creates, read from it: the one list the messages that name them use. */
export function schemaTables(): string[] {
  return [...renderSchema().matchAll(/^CREATE TABLE IF NOT EXISTS (\w+)/gm)].map((m) => m[1]!);
}

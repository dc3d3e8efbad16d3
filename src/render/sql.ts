// SQL text for the Supabase SQL editor. Every value goes through sqlLiteral(); identifiers come only
// from the settings list, never from input.
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
 * One idempotent statement that updates the number's row (in E.164 or its stored 10-digit form, which it
 * normalises to E.164, the form LiveKit reports) or inserts it. It needs no unique constraint on number.
 */
export function renderNumberSql(values: Values): string {
  const number = values.PHONE_NUMBER;
  if (!number) throw new Error('renderNumberSql needs PHONE_NUMBER');
  const row = numberRow(values);
  const fill: Record<string, string> = {
    number,
    assignments: row.map(([c, v]) => `${c} = ${sqlLiteral(v)}`).join(',\n         '),
    match: storedForms(number).map(sqlLiteral).join(', '),
    columns: row.map(([c]) => c).join(', '),
    values: row.map(([, v]) => sqlLiteral(v)).join(', '),
  };
  return readTemplate('phone-number.sql').replace(/\{\{(\w+)\}\}/g, (_, name: string) => fill[name] ?? '');
}

/** ALTER lines that add the given columns to the numbers table, for a table that lacks them. */
export function renderAddColumns(columns: readonly string[]): string {
  return columns.map((c) => `ALTER TABLE ${NUMBERS_TABLE} ADD COLUMN IF NOT EXISTS ${c} text;`).join('\n') + '\n';
}

export function renderSchema(): string {
  return readTemplate('schema.sql');
}

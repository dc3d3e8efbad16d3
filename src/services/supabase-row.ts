// The number's row: the change that makes it hold the number's settings (planNumberRow, one request to write),
// and for `remove` the one that marks it inactive. Reads and failures are supabase.ts's, the one client's.
import type { SupabaseClient } from '@supabase/supabase-js';
import { ServiceError } from '../errors.js';
import type { Change } from '../changes.js';
import { mask } from '../mask.js';
import { NUMBER_COLUMNS, NUMBERS_TABLE, numberRow, storedForms } from '../render/sql.js';
import { setting, type SettingKey, type Values } from '../settings.js';
import { clientFor, failure, isUnknownColumn, MissingColumnsError, rowOf, type Answer, type NumberRow, type SupabaseConn } from './supabase.js';

/** The database change; after apply() it carries the row as read back, for display. */
export interface NumberRowChange extends Change {
  written?: NumberRow;
}

/**
 * The change that makes the number's row hold `given`, or none when it already does. `defaults` fill a new
 * row, and a column the row leaves empty, but never replace a value the row holds. apply() writes it in one
 * request (writeNumberRow) and checks the row it answers.
 */
export function planNumberRow(conn: SupabaseConn, given: Values, current: NumberRow | undefined, defaults: Values = {}): NumberRowChange[] {
  const e164 = given.PHONE_NUMBER;
  if (!e164) throw new Error('planNumberRow needs PHONE_NUMBER');
  const full = numberRow({ ...defaults, ...given });
  const keyOf = new Map<string, SettingKey>(NUMBER_COLUMNS.map(([key, column]) => [column, key]));
  const have = (row: NumberRow, column: string) => (column === 'number' ? row.storedNumber : row.values[keyOf.get(column)!]);
  const differs = ([column, value]: [string, string], row: NumberRow) => have(row, column) !== value;

  // On an existing row: what was given and differs, and defaults only where the row holds nothing.
  const changed = current
    ? full.filter(([column, value]) => {
        const key = keyOf.get(column)!;
        if (given[key] === undefined && have(current, column) !== undefined) return false;
        return differs([column, value], current);
      })
    : full;
  if (current && !changed.length) return [];
  const shown = (row: NumberRow | undefined) =>
    changed
      .filter(([c]) => row || c !== 'number')
      .map(([c, v]) => `${c} ${row ? `${shownValue(keyOf.get(c)!, have(row, c))} → ` : ''}${shownValue(keyOf.get(c)!, v)}`)
      .join('; ');
  const summary = current
    ? `database: update ${changed.map(([c]) => c).join(', ')} for ${e164}: ${shown(current)}`
    : `database: add ${e164}: ${shown(undefined)}`;

  const change: NumberRowChange = {
    target: 'database',
    summary,
    async apply() {
      const back = await writeNumberRow(conn, e164, current ? Object.fromEntries(changed) : undefined, Object.fromEntries(full), current?.hasUpdatedAt);
      const wrong = back ? changed.filter((c) => differs(c, back)).map(([c]) => c) : [];
      if (!back || wrong.length) {
        throw new ServiceError(
          'Supabase',
          `The row of ${e164} read back from ${NUMBERS_TABLE} does not hold what was written` +
            `${back ? ` (${wrong.join(', ')})` : ' (no row)'}: check the table's triggers and row-level security policies`,
        );
      }
      change.written = back;
    },
  };
  return [change];
}

/**
 * One request in the usual case, answered with the row as stored (after any trigger): an existing row gets
 * `changed` (the number rewritten as E.164 in every stored form, updated_at bumped where the table has it);
 * a new one is an upsert on the unique number, so a row another run inserted meanwhile is merged, not
 * doubled. A table without that constraint (older shapes) takes a plain insert. A column the table lacks
 * refuses the write whole (PGRST204): its columns are then listed, for the ALTER lines.
 */
async function writeNumberRow(
  conn: SupabaseConn,
  e164: string,
  changed: Record<string, string> | undefined,
  full: Record<string, string>,
  hasUpdatedAt = false,
): Promise<NumberRow | undefined> {
  const sb = await clientFor(conn);
  const table = () => sb.from(NUMBERS_TABLE);
  const refused = async (res: Answer, what: string) =>
    res.error?.code === 'PGRST204' ? new MissingColumnsError(await missingColumns(conn, sb, Object.keys(full))) : writeFailure(conn, res, what);
  /** The rows holding the number, in either form, updated; none when there are none. */
  const update = async (values: Record<string, string>, bump: boolean) => {
    const row = { ...values, number: e164, ...(bump ? { updated_at: new Date().toISOString() } : {}) };
    const res = await table().update(row).in('number', storedForms(e164)).select('*').retry(false);
    if (res.error) throw await refused(res, `update the row of ${e164}`);
    return (res.data ?? []).length ? rowOf(res.data, e164) : undefined;
  };
  // A row gone since the plan read it is written afresh, below.
  const updated = changed && (await update(changed, hasUpdatedAt));
  if (updated) return updated;
  let res = await table().upsert(full, { onConflict: 'number' }).select('*').retry(false);
  if (res.error?.code === '42P10') {
    // No unique constraint: what another run inserted meanwhile is updated, so the number stays one row.
    const found = await update(full, false);
    if (found) return found;
    res = await table().insert(full).select('*').retry(false);
  }
  if (res.error) throw await refused(res, `insert the row of ${e164}`);
  return rowOf(res.data, e164);
}

/**
 * A value for the plan: quoted, masked when secret, control and direction characters escaped (so a value
 * cannot move the cursor or recolour the terminal), long ones shortened.
 */
export function shownValue(key: SettingKey, value: string | undefined): string {
  if (value === undefined || value === '') return '(empty)';
  if (setting(key).secret) return mask(value);
  const short = [...value].length > 60 ? `${[...value].slice(0, 59).join('')}…` : value;
  return JSON.stringify(short).replace(/[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Columns the table lacks, found with `limit 0` selects (an unknown column in a select is 42703). */
async function missingColumns(conn: SupabaseConn, sb: SupabaseClient, columns: string[]): Promise<string[]> {
  const all = await sb.from(NUMBERS_TABLE).select(columns.join(',')).limit(0).retry(false);
  if (!all.error) return [];
  if (!isUnknownColumn(all.error.code)) throw failure(conn, all, `read ${NUMBERS_TABLE}`);
  // Postgres names only the first unknown column; ask per column so one ALTER round fixes them all.
  const each = await Promise.all(columns.map((c) => sb.from(NUMBERS_TABLE).select(c).limit(0).retry(false)));
  const missing: string[] = [];
  for (const [i, res] of each.entries()) {
    if (!res.error) continue;
    if (!isUnknownColumn(res.error.code)) throw failure(conn, res, `read ${NUMBERS_TABLE}`);
    missing.push(columns[i]!);
  }
  if (!missing.length) throw failure(conn, all, `read ${NUMBERS_TABLE}`);
  return missing;
}

/** A write refused for a column the table lacks (a schema change between check and write) is still that. */
function writeFailure(conn: SupabaseConn, res: Answer, what: string): Error {
  if (res.error?.code === 'PGRST204') {
    const column = /Could not find the '([^']+)' column/.exec(res.error.message ?? '')?.[1];
    if (column) return new MissingColumnsError([column]);
  }
  return failure(conn, res, what);
}

// ---------------------------------------------------------------------------------------------
// For `remove`

/**
 * The change that marks the number's row inactive (never deleted: the agent's history and settings stay),
 * or none when there is no row or it is already inactive. Bumps updated_at where the table has it.
 */
export function planDeactivateNumberRow(conn: SupabaseConn, e164: string, current: NumberRow | undefined): Change[] {
  if (!current || current.values.PHONE_STATUS === 'inactive') return [];
  return [
    {
      target: 'database',
      summary: `database: ${e164} status ${current.values.PHONE_STATUS ?? '(none)'} → inactive (the row stays)`,
      async apply() {
        const sb = await clientFor(conn);
        const where = storedForms(e164);
        let res = await sb.from(NUMBERS_TABLE).update({ status: 'inactive', updated_at: new Date().toISOString() }).in('number', where).select('number').retry(false);
        if (res.error && isUnknownColumn(res.error.code))
          res = await sb.from(NUMBERS_TABLE).update({ status: 'inactive' }).in('number', where).select('number').retry(false);
        if (res.error) throw writeFailure(conn, res, `set ${e164} inactive`);
      },
    },
  ];
}

/**
 * Records the number's carrier in the row's `carrier` column (templates/schema.sql adds it), for a carrier other
 * than SignalWire; runs after the row change, which writes a new row. Nothing when the row already says so.
 */
export function planRowCarrier(conn: SupabaseConn, e164: string, carrier: string, current: NumberRow | undefined): Change[] {
  if (current?.carrier === carrier) return [];
  return [
    {
      target: 'database',
      summary: `database: carrier of ${e164} ${current?.carrier ?? 'none'} → ${carrier}`,
      async apply() {
        const sb = await clientFor(conn);
        const res = await sb.from(NUMBERS_TABLE).update({ carrier }).in('number', storedForms(e164)).select('number').retry(false);
        if (res.error) throw writeFailure(conn, res, `record the carrier of ${e164}`);
      },
    },
  ];
}

// `sql`: the statement that registers the number (or, with --schema, the tables). Pure output, for
// pasting into the Supabase SQL editor or piping into psql. Only the values given (flags, environment,
// .env) are set on an existing row; a new row gets the defaults for the rest.
import { requiredFor, requireValues } from '../config.js';
import type { Context } from '../context.js';
import { renderNumberSql, renderSchema } from '../render/sql.js';

export async function run(ctx: Context): Promise<number> {
  if (ctx.options.schema) {
    const sql = renderSchema();
    process.stdout.write(ctx.json ? json({ schema: true, sql }) : sql);
    return 0;
  }
  requireValues(ctx.values, requiredFor('sql'));
  const sql = renderNumberSql(ctx.values);
  process.stdout.write(ctx.json ? json({ number: ctx.values.PHONE_NUMBER, sql }) : sql);
  return 0;
}

/** --json: the statement inside a JSON document, for scripts that read JSON. */
function json(doc: Record<string, unknown>): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

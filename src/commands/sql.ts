// `sql`: the statement that registers the number (or, with --schema, the tables). Pure output, for
// pasting into the Supabase SQL editor or piping into psql. Only the values given (flags, environment,
// .env) are set on an existing row; a new row gets the defaults for the rest.
import { requireValues } from '../config.js';
import type { Context } from '../context.js';
import { renderNumberSql, renderSchema } from '../render/sql.js';

export async function run(ctx: Context): Promise<number> {
  if (ctx.options.schema) {
    process.stdout.write(renderSchema());
    return 0;
  }
  requireValues(ctx.values, ['PHONE_NUMBER']);
  process.stdout.write(renderNumberSql(ctx.values));
  return 0;
}

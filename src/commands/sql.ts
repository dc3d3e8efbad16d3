// `sql`: the statement that registers the number (or, with --schema, the tables). Pure output, for
// pasting into the Supabase SQL editor or piping into psql.
import { requireValues, withDefaults } from '../config.js';
import type { Context } from '../context.js';
import { renderNumberSql, renderSchema } from '../render/sql.js';

export async function run(ctx: Context): Promise<number> {
  if (ctx.options.schema) {
    process.stdout.write(renderSchema());
    return 0;
  }
  requireValues(ctx.values, ['PHONE_NUMBER']);
  process.stdout.write(renderNumberSql(withDefaults(ctx.values)));
  return 0;
}

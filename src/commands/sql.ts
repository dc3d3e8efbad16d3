// `sql`: the statement that registers the number (or, with --schema, the tables; with --seed, the starter
// agent's example prompts). Pure output, for pasting into the Supabase SQL editor or piping into psql. Only
// the values given (flags, environment, .env) are set on an existing row; a new row gets the defaults for the rest.
import { requiredFor, requireValues } from '../config.js';
import type { Context } from '../context.js';
import { renderNumberSql, renderSchema, renderSeed } from '../render/sql.js';

export async function run(ctx: Context): Promise<number> {
  // --schema, --seed or both (the tables first: the seed fills one of them).
  if (ctx.options.schema || ctx.options.seed) {
    const sql = [ctx.options.schema && renderSchema(), ctx.options.seed && renderSeed()].filter(Boolean).join('\n');
    process.stdout.write(ctx.json ? json({ ...(ctx.options.schema ? { schema: true } : {}), ...(ctx.options.seed ? { seed: true } : {}), sql }) : sql);
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

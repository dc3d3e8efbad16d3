// `sql`: the statement that registers the number (or, with --schema, the tables; with --seed, the starter
// agent's example prompts). Pure output, for pasting into the Supabase SQL editor or piping into psql. Only
// the values given (flags, environment, .env) are set on an existing row; a new row gets the defaults for the
// rest. Without --number, the one number configured (which-number.ts).
import { requiredFor, requireValues } from '../config.js';
import type { Context } from '../context.js';
import { renderNumberSql, renderSchema, renderSeed } from '../render/sql.js';
import { tool } from '../invocation.js';
import { pickNumbers } from './which-number.js';

export async function run(ctx: Context): Promise<number> {
  // --schema, --seed or both (the tables first: the seed fills one of them).
  if (ctx.options.schema || ctx.options.seed) {
    const sql = [ctx.options.schema && renderSchema(), ctx.options.seed && renderSeed()].filter(Boolean).join('\n');
    process.stdout.write(ctx.json ? json({ ...(ctx.options.schema ? { schema: true } : {}), ...(ctx.options.seed ? { seed: true } : {}), sql }) : sql);
    return 0;
  }
  const [number] = await pickNumbers(ctx, { command: `${tool()} sql`, db: true });
  const values = { ...ctx.values, ...(number ? { PHONE_NUMBER: number } : {}) };
  requireValues(values, requiredFor('sql'));
  const sql = renderNumberSql(values);
  process.stdout.write(ctx.json ? json({ number: values.PHONE_NUMBER, sql }) : sql);
  return 0;
}

/** --json: the statement inside a JSON document, for scripts that read JSON. */
function json(doc: Record<string, unknown>): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

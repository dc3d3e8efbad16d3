// Step 6: what the person takes away: what the carrier hands over (SignalWire: the SWML, carriers/signalwire/
// handover.ts), the SQL when the database was skipped, and a note for the agent's author.
import { basename, dirname, join } from 'node:path';
import { renderNumberSql } from '../render/sql.js';
import { carrierNamed } from '../carriers/index.js';
import { carrierOf } from '../config.js';
import { bold, out, print } from '../ui.js';
import { confirm } from './ask.js';
import { numberValues } from './plan.js';
import type { Session } from './session.js';

/** The files the setup keeps beside .env that hold secrets: .env and what the carrier's handover saves. */
export function secretFiles(s: Session): string[] {
  const saved = carrierNamed(carrierOf(s.values)).handover?.files ?? [];
  return [s.ctx.envFile, ...saved.map((f) => join(dirname(s.ctx.envFile), f))];
}

export async function showOutput(s: Session): Promise<void> {
  const v = s.values;
  const ask = s.prompts && !s.ctx.yes;
  await carrierNamed(carrierOf(v)).handover?.show(v, { dir: dirname(s.ctx.envFile), dryRun: s.ctx.dryRun, ...(ask ? { confirm } : {}) });

  if (s.ctx.options['no-db']) {
    out(bold('\nSQL for Supabase → SQL Editor'));
    // Only the given values: a default in the UPDATE would reset a column the row already holds.
    print(renderNumberSql(numberValues(s).given));
  }

  out(bold('\nFor the agent\'s author'));
  out(`  • The called number is the SIP participant's attribute ${bold('sip.trunkPhoneNumber')} (${v.PHONE_NUMBER}); the caller is ${bold('sip.phoneNumber')}.`);
  out('    Room metadata carries neither. Rooms are named sip-_<caller>_<random>.');
  out(`  • Settings: select * from signalwire_phone_numbers where number = '${v.PHONE_NUMBER}'`);
  out(
    v.AGENT_NAME
      ? `  • The worker must register agent_name "${v.AGENT_NAME}" (the dispatch rule names it; a worker without it never joins).`
      : '  • The worker must register no agent_name (automatic dispatch); one that registers a name is never sent to these calls.',
  );
  await warnUnignored(s);
}

/** .env, its backup and what the carrier's handover saved hold secrets: say so when git would commit them. */
async function warnUnignored(s: Session): Promise<void> {
  const { notIgnoredByGit } = await import('../services/env-file.js');
  const file = s.ctx.envFile;
  const [, ...saved] = secretFiles(s);
  const risky = await notIgnoredByGit([file, `${file}.bak`, ...saved]);
  if (risky.length) s.notes.push(`git does not ignore ${risky.map((p) => basename(p)).join(', ')}: add them to .gitignore, they hold secrets.`);
}

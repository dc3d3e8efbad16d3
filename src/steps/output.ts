// Step 6: what the person takes away: the SWML (printed plain, without clack's gutter, so it copies clean;
// saved to a file; offered to the clipboard), the SQL when the database was skipped, and a note for the
// agent's author.
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { HIDDEN } from '../render/document.js';
import { renderNumberSql } from '../render/sql.js';
import { renderSwml, swmlJson } from '../render/swml.js';
import { PASTE_SWML, PASTE_SWML_URL } from '../signalwire-paths.js';
import { bold, dim, green, out, print } from '../ui.js';
import { confirm } from './ask.js';
import type { Session } from './session.js';

export const SWML_FILE = 'signalwire-swml.json';

export async function showOutput(s: Session): Promise<void> {
  const v = s.values;
  const input = { sipDomain: v.LIVEKIT_SIP_DOMAIN!, username: v.LIVEKIT_SIP_USERNAME, password: v.LIVEKIT_SIP_PASSWORD };
  const swml = swmlJson(renderSwml(input));
  const automatic = Boolean(v.SIGNALWIRE_PROJECT_ID && v.SIGNALWIRE_API_TOKEN && v.SIGNALWIRE_SPACE_URL);

  if (v.API_BASE_URL) {
    out(bold('\nSignalWire'));
    out(automatic ? `  ${v.PHONE_NUMBER} fetches its SWML from ${v.API_BASE_URL}/api/swml-inbound (run: create-sip-inbound serve).` : `  ${PASTE_SWML_URL}`);
    if (!automatic) out(`  ${v.API_BASE_URL}/api/swml-inbound   ${dim('(run: create-sip-inbound serve)')}`);
  } else if (automatic) {
    out(bold('\nSignalWire'));
    out(`  ${v.PHONE_NUMBER} runs the SWML as a hosted SWML script; nothing to paste.`);
  } else {
    out(bold('\nSWML for SignalWire'));
    out(dim(PASTE_SWML));
    out('');
    // Printed plain so it copies clean; the SIP password stays off the screen and lives in the file.
    print(input.password ? swmlJson(renderSwml({ ...input, password: HIDDEN })) : swml);
    const file = join(dirname(s.ctx.envFile), SWML_FILE);
    if (!s.ctx.dryRun && (!existsSync(file) || readFileSync(file, 'utf8') !== swml)) {
      writeFileSync(file, swml, { mode: 0o600 });
      chmodSync(file, 0o600);
    }
    const shown = relative(process.cwd(), file) || file;
    out(dim(`Saved to ${shown}${input.password ? ' with the SIP password (keep it out of git); or: create-sip-inbound swml | pbcopy' : ''}`));
    if (s.prompts && !s.ctx.yes && (await confirm('Copy the SWML to the clipboard?'))) {
      const { copyToClipboard } = await import('../services/clipboard.js');
      out((await copyToClipboard(swml)) ? green('✔ Copied.') : `No clipboard tool found; copy it from ${shown}.`);
    }
  }

  if (s.ctx.options['no-db']) {
    out(bold('\nSQL for Supabase → SQL Editor'));
    print(renderNumberSql(v));
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

/** .env, its backup and the saved SWML hold secrets: say so when git would commit them. */
async function warnUnignored(s: Session): Promise<void> {
  const { notIgnoredByGit } = await import('../services/env-file.js');
  const file = s.ctx.envFile;
  const risky = await notIgnoredByGit([file, `${file}.bak`, join(dirname(file), SWML_FILE)]);
  if (risky.length) s.notes.push(`git does not ignore ${risky.map((p) => basename(p)).join(', ')}: add them to .gitignore, they hold secrets.`);
}

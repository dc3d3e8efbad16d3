// Step 6: what the person takes away: the SWML (printed plain, without clack's gutter, so it copies clean;
// saved to a file; offered to the clipboard), the SQL when the database was skipped, and a note for the
// agent's author.
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { renderNumberSql } from '../render/sql.js';
import { renderSwml, swmlJson } from '../render/swml.js';
import { swmlUrl } from '../swml-path.js';
import { PASTE_SWML, PASTE_SWML_URL } from '../carriers/signalwire/dashboard.js';
import { bold, dim, green, out, print, printDocument } from '../ui.js';
import { confirm } from './ask.js';
import { numberValues } from './plan.js';
import type { Session } from './session.js';

export const SWML_FILE = 'signalwire-swml.json';

export async function showOutput(s: Session): Promise<void> {
  const v = s.values;
  const input = { sipDomain: v.LIVEKIT_SIP_DOMAIN!, username: v.LIVEKIT_SIP_USERNAME, password: v.LIVEKIT_SIP_PASSWORD };
  const swml = swmlJson(renderSwml(input));
  const automatic = Boolean(v.SIGNALWIRE_PROJECT_ID && v.SIGNALWIRE_API_TOKEN && v.SIGNALWIRE_SPACE_URL);

  if (v.API_BASE_URL) {
    out(bold('\nSignalWire'));
    out(automatic ? `  ${v.PHONE_NUMBER} fetches its SWML from ${swmlUrl(v.API_BASE_URL)} (run: create-sip-inbound serve).` : `  ${PASTE_SWML_URL}`);
    if (!automatic) out(`  ${swmlUrl(v.API_BASE_URL)}   ${dim('(run: create-sip-inbound serve)')}`);
  } else if (automatic) {
    out(bold('\nSignalWire'));
    out(`  ${v.PHONE_NUMBER} runs the SWML as a hosted SWML script; nothing to paste.`);
  } else {
    out(bold('\nSWML for SignalWire'));
    out(dim(PASTE_SWML));
    const file = join(dirname(s.ctx.envFile), SWML_FILE);
    if (!s.ctx.dryRun && (!existsSync(file) || readFileSync(file, 'utf8') !== swml)) {
      writeFileSync(file, swml, { mode: 0o600 });
      chmodSync(file, 0o600);
    }
    const shown = relative(process.cwd(), file) || file;
    const saved = s.ctx.dryRun ? `Would be saved to ${shown}` : `Saved to ${shown}`;
    if (!input.password) {
      out('');
      print(swml);
      out(dim(saved));
    } else {
      // A document with the password masked fails digest auth when pasted: the screen shows the real one
      // only when asked; otherwise the file and a command that copies it.
      const show = s.prompts && !s.ctx.yes && (await confirm('Show it with the password, to copy?', false));
      if (show) {
        out('');
        // The one place the password is printed on purpose: asked for, to copy.
        printDocument(`${swml}\n`, [input.password]);
      }
      out(`${saved} ${dim('(it holds the SIP password: keep it out of git)')}`);
      out(`Copy it with: ${copyCommand(shown)}`);
    }
    if (s.prompts && !s.ctx.yes && !s.ctx.dryRun && (await confirm('Copy the SWML to the clipboard?'))) {
      const { copyToClipboard } = await import('../services/clipboard.js');
      out((await copyToClipboard(swml)) ? green('✔ Copied.') : `No clipboard tool found; copy it with: ${copyCommand(shown)}`);
    }
  }

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

/** .env, its backup and the saved SWML hold secrets: say so when git would commit them. */
async function warnUnignored(s: Session): Promise<void> {
  const { notIgnoredByGit } = await import('../services/env-file.js');
  const file = s.ctx.envFile;
  const risky = await notIgnoredByGit([file, `${file}.bak`, join(dirname(file), SWML_FILE)]);
  if (risky.length) s.notes.push(`git does not ignore ${risky.map((p) => basename(p)).join(', ')}: add them to .gitignore, they hold secrets.`);
}

/** A command that puts the saved document on the clipboard (or the screen, where there is no clipboard tool). */
export function copyCommand(path: string, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  const q = /^[\w@%+=:,./-]+$/.test(path) ? path : `"${path.replace(/"/g, '\\"')}"`;
  if (platform === 'darwin') return `pbcopy < ${q}`;
  if (platform === 'win32') return `clip < ${q}   (PowerShell: Get-Content ${q} | Set-Clipboard)`;
  if (env.WAYLAND_DISPLAY) return `wl-copy < ${q}`;
  if (env.DISPLAY) return `xclip -selection clipboard < ${q}`;
  // A server: no clipboard. The file's text, printed whole, copies from the terminal as it is.
  return `cat ${q}`;
}

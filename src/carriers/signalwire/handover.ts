// What the setup hands over at its end for SignalWire: where the number gets its SWML, or the SWML to paste
// (printed plain, without clack's gutter, so it copies clean; saved to a file; offered to the clipboard).
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join, relative } from 'node:path';
import { renderSwml, swmlJson } from '../../render/swml.js';
import { swmlUrl } from '../../swml-path.js';
import type { Values } from '../../settings.js';
import { bold, dim, green, out, print, printDocument } from '../../ui.js';
import { copyCommand, copyToClipboard } from '../../services/clipboard.js';
import type { CarrierHandover, HandoverOptions } from '../carrier.js';
import { PASTE_SWML, PASTE_SWML_URL } from './dashboard.js';
import { signalWireConn } from './http.js';

/** The SWML to paste, saved beside .env: it holds the SIP password. */
export const SWML_FILE = 'signalwire-swml.json';

async function showSwml(v: Values, o: HandoverOptions): Promise<void> {
  const input = { sipDomain: v.LIVEKIT_SIP_DOMAIN!, username: v.LIVEKIT_SIP_USERNAME, password: v.LIVEKIT_SIP_PASSWORD };
  const swml = swmlJson(renderSwml(input));
  // With the API, the setup pointed the number at the SWML itself.
  const automatic = signalWireConn(v) !== undefined;

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
    const file = join(o.dir, SWML_FILE);
    if (!o.dryRun && (!existsSync(file) || readFileSync(file, 'utf8') !== swml)) {
      writeFileSync(file, swml, { mode: 0o600 });
      chmodSync(file, 0o600);
    }
    const shown = relative(process.cwd(), file) || file;
    const saved = o.dryRun ? `Would be saved to ${shown}` : `Saved to ${shown}`;
    if (!input.password) {
      out('');
      print(swml);
      out(dim(saved));
    } else {
      // A document with the password masked fails digest auth when pasted: the screen shows the real one
      // only when asked; otherwise the file and a command that copies it.
      const show = o.confirm && (await o.confirm('Show it with the password, to copy?', false));
      if (show) {
        out('');
        // The one place the password is printed on purpose: asked for, to copy.
        printDocument(`${swml}\n`, [input.password]);
      }
      out(`${saved} ${dim('(it holds the SIP password: keep it out of git)')}`);
      out(`Copy it with: ${copyCommand(shown)}`);
    }
    if (o.confirm && !o.dryRun && (await o.confirm('Copy the SWML to the clipboard?'))) {
      out((await copyToClipboard(swml)) ? green('✔ Copied.') : `No clipboard tool found; copy it with: ${copyCommand(shown)}`);
    }
  }
}

export const signalWireHandover: CarrierHandover = { files: [SWML_FILE], show: showSwml };

// Where things live in SignalWire's dashboard: where each document goes, and where a number's handler is seen.
// SWML needs a SWML Script resource; a LaML/cXML handler accepts XML only (FACTS.md). Every command that names a
// dashboard place takes the words from here.

const NEW_SWML_SCRIPT = 'SignalWire → Resources → Add → Script → SWML Script';
const ASSIGN_NUMBER = 'open the script\'s "Addresses & Phone Numbers" tab → Add → Phone Number → your number';

export const PASTE_SWML =
  `${NEW_SWML_SCRIPT}: paste the document and save. Then ${ASSIGN_NUMBER} (not a LaML/cXML bin: those take XML only).`;

/** Followed by the URL to paste. */
export const PASTE_SWML_URL = `${NEW_SWML_SCRIPT} → "Handle Calls Using: External URL"; then ${ASSIGN_NUMBER}. Primary Script URL:`;

export const PASTE_CXML =
  'SignalWire → Resources → Add → Script → cXML Script: paste the XML and save; then assign it to your number ' +
  'under the script\'s "Addresses & Phone Numbers" tab.';

/** Where a number's handler is seen and changed by hand. */
export const numberPage = (e164 = 'your number'): string => `SignalWire → Phone Numbers → ${e164}`;

// Where each document goes in the SignalWire dashboard. SWML needs a SWML Script resource; a LaML/cXML
// handler accepts XML only (FACTS.md).
export const PASTE_SWML =
  'SignalWire → Resources → Add → Script → SWML Script: paste the document and save. Then open the script\'s ' +
  '"Addresses & Phone Numbers" tab → Add → Phone Number → your number (not a LaML/cXML bin: those take XML only).';
export const PASTE_SWML_URL =
  'SignalWire → Resources → Add → Script → SWML Script → "Handle Calls Using: External URL", Primary Script URL:';
export const PASTE_CXML =
  'SignalWire → Resources → Add → Script → cXML Script: paste the XML and save; then assign it to your number ' +
  'under the script\'s "Addresses & Phone Numbers" tab.';

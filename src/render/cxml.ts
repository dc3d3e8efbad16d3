// cXML (LaML) for a LaML Bin: the XML alternative to SWML. `{{To}}` is cXML's own variable syntax.
import { readTemplate } from '../templates.js';
import type { SwmlInput } from './swml.js';

export function xmlEscape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

export function renderCxml(input: SwmlInput): string {
  const credentials =
    input.username && input.password ? ` username="${xmlEscape(input.username)}" password="${xmlEscape(input.password)}"` : '';
  return readTemplate('cxml.xml')
    // Function replacements: a "$&" or "$'" in a password must stay literal.
    .replace('{{credentials}}', () => credentials)
    .replace('{{host}}', () => xmlEscape(input.sipDomain));
}

// SWML for SignalWire: a document object serialised once, never assembled from strings.
// `%{call.to}` is SWML's variable syntax (FACTS.md); SignalWire substitutes the dialled number.
import { readTemplate } from '../templates.js';

export interface SwmlInput {
  sipDomain: string;
  username?: string | undefined;
  password?: string | undefined;
}

export interface SwmlDocument {
  version: string;
  sections: { main: Array<{ connect: SwmlConnect }> };
}

export interface SwmlConnect {
  to: string;
  username?: string;
  password?: string;
}

/** `sip:%{call.to}@<host>;transport=tcp`: TCP is what SignalWire's own LiveKit guide uses. */
export function sipTarget(sipDomain: string, user = '%{call.to}'): string {
  return `sip:${user}@${sipDomain};transport=tcp`;
}

export function renderSwml(input: SwmlInput): SwmlDocument {
  const doc = JSON.parse(readTemplate('swml.json')) as SwmlDocument;
  const connect = doc.sections.main[0]!.connect;
  connect.to = sipTarget(input.sipDomain);
  // Both or neither: LiveKit's digest challenge needs the pair.
  if (input.username && input.password) {
    connect.username = input.username;
    connect.password = input.password;
  }
  return doc;
}

export function swmlJson(doc: SwmlDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

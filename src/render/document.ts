// The SignalWire document in the chosen format. YAML is the same SWML object, serialised by the yaml library.
import { renderCxml } from './cxml.js';
import { renderSwml, swmlJson, type SwmlInput } from './swml.js';

export const FORMATS = ['json', 'yaml', 'cxml'] as const;
export type Format = (typeof FORMATS)[number];

/** Stands in for the SIP password wherever a document is shown rather than handed over. */
export const HIDDEN = '********';

export async function renderDocument(format: Format, input: SwmlInput): Promise<string> {
  if (format === 'cxml') return renderCxml(input);
  const doc = renderSwml(input);
  if (format === 'json') return swmlJson(doc);
  // yaml ships CommonJS to Node; bundled, its functions may sit on the namespace or on `default`.
  const yaml = await import('yaml');
  return (yaml.stringify ?? (yaml as unknown as { default: typeof yaml }).default.stringify)(doc);
}

// The credentials of a carrier other than SignalWire (whose own step is steps/signalwire.ts): only that carrier's
// settings are asked, each with where to find it, then checked live by finding the number through the carrier seam.
import { carrierNamed } from '../carriers/index.js';
import { carrierOf } from '../config.js';
import { SETTINGS, type Setting, type SettingKey } from '../settings.js';
import { askVerified } from './ask.js';
import type { Session } from './session.js';
import { spin } from './spin.js';

/** The carrier's own settings that have no default: its credentials. */
export function carrierCredentialKeys(id: string): SettingKey[] {
  return (SETTINGS as readonly Setting[]).filter((d) => d.group === id && d.default === undefined).map((d) => d.key as SettingKey);
}

export async function askCarrierCredentials(s: Session): Promise<void> {
  const carrier = carrierNamed(carrierOf(s.values));
  if (carrier.id === 'signalwire' || !s.prompts) return;
  const number = s.values.PHONE_NUMBER!;
  await askVerified(s, carrierCredentialKeys(carrier.id), async () => {
    const conn = carrier.conn(s.values);
    if (!conn) return;
    await spin(s, `Finding ${number} in ${carrier.label}…`, () => carrier.observe(conn, number, carrier.target(s.values)));
  });
}

// The number's carrier, then its credentials. The carrier is asked first (a select of the registry's carriers),
// prefilled from --carrier, CARRIER in the environment or .env, or the credentials found (carrierOf); given by
// flag, or without prompts, it is not asked. Then only that carrier's settings are asked, each with where to
// find it, and checked live by finding the number through the carrier seam (SignalWire keeps its own step,
// steps/signalwire.ts).
import { basename } from 'node:path';
import { CARRIERS, carrierNamed } from '../carriers/index.js';
import { carrierOf } from '../config.js';
import { SETTINGS, setting, type Setting, type SettingKey } from '../settings.js';
import { dim } from '../ui.js';
import { askVerified, select } from './ask.js';
import { set, type Session } from './session.js';
import { spin } from './spin.js';

/** The carrier's own settings that have no default: its credentials. */
export function carrierCredentialKeys(id: string): SettingKey[] {
  return (SETTINGS as readonly Setting[]).filter((d) => d.group === id && d.default === undefined).map((d) => d.key as SettingKey);
}

/**
 * Which carrier the number is on. Asked on a first run, when adding a number or changing credentials; an
 * update of a number whose carrier .env names keeps it. The answer goes to .env (CARRIER), so a rerun prefills it.
 */
export async function askCarrier(s: Session): Promise<void> {
  if (!s.prompts || s.ctx.yes || s.origin.CARRIER === 'flag') return;
  if (s.mode === 'update' && s.values.CARRIER) return;
  const current = carrierOf(s.values);
  const def = setting('CARRIER');
  const hasCredentials = (id: string) => carrierCredentialKeys(id).some((k) => s.values[k]);
  const origin = s.origin.CARRIER;
  const from = s.values.CARRIER
    ? origin === 'env-file' ? `from CARRIER in ${basename(s.ctx.envFile)}` : origin === 'env' ? 'from CARRIER' : undefined
    : hasCredentials(current) ? `from the ${carrierNamed(current).label} credentials given` : undefined;
  const picked = await select(
    `${def.label}${from ? dim(` (${from})`) : ''}\n${dim('Its credentials are asked next, with where to find them')}`,
    Object.values(CARRIERS).map((c) => ({ value: c.id, label: c.label, ...(hasCredentials(c.id) ? { hint: 'credentials given' } : {}) })),
    current in CARRIERS ? current : undefined,
  );
  set(s, 'CARRIER', picked, 'prompt');
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

// The known carriers, one line each. A new carrier is a folder beside signalwire/ implementing Carrier.
import type { Carrier } from './carrier.js';
import { UsageError } from '../errors.js';
import { signalwire } from './signalwire/index.js';
import { twilio } from './twilio/index.js';
import { telnyx } from './telnyx/index.js';

export const CARRIERS: Readonly<Record<string, Carrier<any, any, any>>> = { signalwire, twilio, telnyx };

export function carrierNamed(id: string): Carrier<unknown, unknown, unknown> {
  const c = CARRIERS[id];
  if (!c) throw new UsageError(`--carrier (CARRIER): unknown carrier "${id}"; known carriers are ${Object.keys(CARRIERS).join(', ')}.`);
  return c as Carrier<unknown, unknown, unknown>;
}

// Shared by the SignalWire tests: a connection to a stand-in, the SWML it should end up running,
// and the check that an error is one line without the token in it.
import { oneLineError as expectOneLine } from '../helpers/errors.ts';
import type { SignalWireConn } from '../../src/carriers/signalwire/index.ts';
import type { SignalWireStandIn } from '../stand-ins/signalwire.ts';
export { NUMBER } from '../fixtures.ts';


export function connTo(sw: SignalWireStandIn, over: Partial<SignalWireConn> = {}): SignalWireConn {
  return { spaceUrl: sw.url, projectId: sw.projectId, apiToken: sw.apiToken, timeoutMs: 2000, ...over };
}

/** SWML as the renderer prints it: pretty JSON text, with a digest password inside. */
export function swmlFor(sipDomain: string): string {
  const doc = {
    version: '1.0.0',
    sections: {
      main: [{ connect: { to: `sip:%{call.to}@${sipDomain};transport=tcp`, username: 'csi-user', password: 'digest-pass-123' } }],
    },
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Runs `fn`, expects it to throw `type` in one line without the token; returns the message. */
export async function oneLineError<E extends Error>(fn: () => Promise<unknown>, type: new (...args: never[]) => E, token: string): Promise<string> {
  return (await expectOneLine(fn, type, token)).message;
}

// What places a SIP call in the tests: the real SIP client (test/real/sip-dialer.ts, SIPp) implements it,
// and the SignalWire stand-in drives it for a SWML `connect` to a SIP URI.
export interface SipDial { uri: string; /* e.g. sip:+14244851544@127.0.0.1:5060;transport=tcp */ from: string;
  username?: string; password?: string; /** how long to stay on the call after it is answered */ holdMs: number }
export interface SipAnswer { code: number; reason: string; /** resolves when the call has ended */ ended: Promise<void>;
  hangup(): Promise<void> }
export type SipDialer = (d: SipDial) => Promise<SipAnswer>;

// The one SIP client interface the SignalWire stand-in drives for a SWML `connect`: over the real LiveKit SIP
// service where it runs (test/real/), or over the LiveKit stand-in's simulated call (swml-executor.ts).
export interface SipDial {
  uri: string; /* e.g. sip:+14244851544@127.0.0.1:5060;transport=tcp */
  from: string;
  username?: string;
  password?: string;
  /** how long to stay on the call after it is answered */
  holdMs: number;
  /** the caller's IP address, for a trunk that admits callers by address */
  source?: string;
}
export interface SipAnswer {
  code: number;
  reason: string;
  /** resolves when the call has ended */
  ended: Promise<void>;
  hangup(): Promise<void>;
}
export type SipDialer = (d: SipDial) => Promise<SipAnswer>;

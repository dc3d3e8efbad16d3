// A carrier's record of a failed call names the SIP answer its trunk got from LiveKit SIP; this turns that code
// into one cause and one fix for a LiveKit inbound trunk that admits the carrier by address (no digest login:
// allowedAddresses holds the carrier's signalling ranges, numbers holds ours). What LiveKit answers, and when it
// answers nothing: FACTS.md "Other carriers" (a trunk whose allowedAddresses miss the sender answered nothing at
// all on a self-hosted livekit-sip; "not authorized by trunk configuration" is livekit/sip#318; 404 without
// ;transport=tcp is livekit/sip#583).
import { tool } from '../invocation.js';
import { isSelfHostedSip } from '../sip-uri.js';
import type { CallExplanation } from './carrier.js';

export interface AnswerContext {
  /** The carrier's name as people read it. */
  label: string;
  /** Our number (E.164). */
  e164: string;
  /** LIVEKIT_SIP_DOMAIN. */
  sipDomain?: string | undefined;
  /** Who hung up, as the carrier records it (caller, callee…), when it says. */
  disconnectedBy?: string | undefined;
  /** What of the carrier's own route must name LiveKit SIP over TCP, in its words (default: Twilio's origination URL). */
  route?: (where: string) => string;
}

/** The SIP answer `code` (undefined: none came) in words, for a trunk that admits the carrier by address. */
export function explainAddressTrunkAnswer(code: number | undefined, c: AnswerContext): CallExplanation {
  const rerun = `rerun ${tool()} --number ${c.e164}`;
  const admits = `LiveKit's inbound trunk must list ${c.label}'s signalling addresses in allowedAddresses and ${c.e164} in numbers`;
  const where = c.sipDomain ?? 'the SIP domain';
  const said = (text: string) => `LiveKit SIP answered ${code} ${text}`;
  const route = c.route?.(where) ?? `the origination URL must be sip:${where};transport=tcp`;
  const by = c.disconnectedBy ? ` (${c.label} records the call as disconnected by the ${c.disconnectedBy})` : '';
  switch (code) {
    case undefined:
    case 408:
      return {
        code,
        cause:
          `${code ? `no SIP answer from ${where} (${c.label} gave up: 408 Request Timeout)` : `no SIP answer from ${where}`}: LiveKit ignores, without answering, ` +
          `an INVITE from an address its trunk does not allow${c.sipDomain && isSelfHostedSip(c.sipDomain) ? ', or one for a number no trunk and no rule take' : ''}; or the SIP domain or port is wrong`,
        fix: `${admits} (${rerun}); ${route}`,
      };
    case 403:
      return { code, cause: `${said('Forbidden')}: the call is not authorized by the trunk: its address is not in the trunk's allowedAddresses, or ${c.e164} is not in its numbers`, fix: `${admits}: ${rerun}` };
    case 404:
      return {
        code,
        cause: `${said('Not Found')}: no inbound trunk (or no dispatch rule) takes ${c.e164}, or ${c.route ? 'the carrier does not send it over TCP' : 'the origination URL lacks ;transport=tcp'}`,
        fix: `put ${c.e164} on the inbound trunk and a rule on that trunk (${rerun}); ${route}`,
      };
    case 480:
      return { code, cause: `${said('Temporarily Unavailable')}: LiveKit took the call but nothing in the room answered it (no agent was dispatched, or it did not join)`, fix: 'start the agent and check the dispatch rule hop above: the rule must dispatch the agent the worker registers' };
    case 486:
      return { code, cause: `${said('Busy Here')}: LiveKit matched the call but a trunk or dispatch rule rejects it (a rule's numbers filter, or no rule for the trunk)`, fix: `one dispatch rule must cover our trunk and ${c.e164}: see the LiveKit doctor above, or ${rerun}` };
    case 487:
      return { code, cause: `${said('Request Terminated')}: the call was cancelled while LiveKit had not answered it yet${by}; the agent did not answer in time`, fix: 'start the agent before the test call (it answers once it joins), or give it longer with --call-seconds' };
    case 488:
      return { code, cause: `${said('Not Acceptable Here')}: LiveKit refused the call's media offer (media encryption or codecs)`, fix: `make both trunks agree on media encryption: LiveKit's trunk mediaEncryption, and ${c.label}'s secure trunking (SRTP) setting` };
    case 500:
      return { code, cause: `${said('Server Internal Error')}: LiveKit SIP failed while handling the call`, fix: 'LiveKit Cloud → Telephony → Calls (or a self-hosted SIP service\'s log) shows why; rerun the check once fixed' };
    case 503:
      return { code, cause: `${said('Service Unavailable')}: no LiveKit SIP service took the call at ${where}`, fix: `check that LIVEKIT_SIP_DOMAIN is the SIP URI host from LiveKit Cloud → Settings → Project (or that the self-hosted SIP service runs), then rerun` };
    default:
      return { code, cause: `LiveKit SIP answered ${code}: LiveKit SIP refused the call`, fix: `look the call up in ${c.label}'s call logs and in LiveKit Cloud → Telephony → Calls; rerun the check once fixed` };
  }
}

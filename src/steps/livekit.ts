// Step 1: LiveKit. URL, key and secret are checked live before going on; then the SIP domain and
// the agent name the worker registers.
import { UsageError } from '../errors.js';
import { clack, red } from '../ui.js';
import { askSecret, askText, hint } from './ask.js';
import { set, wants, type Session } from './session.js';
import { spin } from './spin.js';

export function livekitConn(s: Session) {
  return { url: s.values.LIVEKIT_URL!, apiKey: s.values.LIVEKIT_API_KEY!, apiSecret: s.values.LIVEKIT_API_SECRET! };
}

export async function askLiveKit(s: Session): Promise<void> {
  const { checkLiveKit } = await import('../services/livekit.js');
  let again = false;
  for (;;) {
    if (again || wants(s, 'LIVEKIT_URL', true)) await askText(s, 'LIVEKIT_URL', { required: true, placeholder: 'wss://my-app-abc123.livekit.cloud' });
    if (again || wants(s, 'LIVEKIT_API_KEY', true)) await askText(s, 'LIVEKIT_API_KEY', { required: true });
    if (again || wants(s, 'LIVEKIT_API_SECRET', true)) await askSecret(s, 'LIVEKIT_API_SECRET', { required: true });
    try {
      await spin(s, 'Checking the LiveKit key…', () => checkLiveKit(livekitConn(s)));
      break;
    } catch (err) {
      // A wrong value can be typed again; without prompts (or for a service failure) it ends the run.
      if (!s.prompts || !(err instanceof UsageError)) throw err;
      (await clack()).log.error(red(err.message));
      again = true;
    }
  }

  if (wants(s, 'LIVEKIT_SIP_DOMAIN', true)) {
    await hint('Find it in LiveKit Cloud → Settings → Project → "SIP URI"; enter it without "sip:".');
    await askText(s, 'LIVEKIT_SIP_DOMAIN', { required: true, placeholder: 'abc123xyz.sip.livekit.cloud' });
  }
  if (wants(s, 'AGENT_NAME', false)) {
    await hint(
      'A worker with an agent_name joins only when the rule names it; one without joins every room.\n' +
        'Leave it empty if your worker sets no agent_name.',
    );
    await askText(s, 'AGENT_NAME', { placeholder: 'e.g. inbound-agent (Enter for automatic dispatch)' });
  }

  if (s.ctx.options['no-sip-auth']) {
    set(s, 'LIVEKIT_SIP_USERNAME', undefined, 'flag');
    set(s, 'LIVEKIT_SIP_PASSWORD', undefined, 'flag');
    s.notes.push('SIP digest auth is off (--no-sip-auth): anyone who knows the SIP URI and the number can reach the agent.');
  }
}

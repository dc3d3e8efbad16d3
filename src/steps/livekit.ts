// Step 1: LiveKit. URL, key and secret are checked live before going on; then the SIP domain and
// the agent name the worker registers.
import { askText, askVerified, hint } from './ask.js';
import { set, wants, type Session } from './session.js';
import { spin } from './spin.js';

export function livekitConn(s: Session) {
  return { url: s.values.LIVEKIT_URL!, apiKey: s.values.LIVEKIT_API_KEY!, apiSecret: s.values.LIVEKIT_API_SECRET! };
}

export async function askLiveKit(s: Session): Promise<void> {
  const { checkLiveKit } = await import('../services/livekit.js');
  await askVerified(
    s,
    [
      { key: 'LIVEKIT_URL', placeholder: 'wss://my-app-abc123.livekit.cloud' },
      { key: 'LIVEKIT_API_KEY' },
      { key: 'LIVEKIT_API_SECRET', secret: true },
    ],
    () => spin(s, 'Checking the LiveKit key…', () => checkLiveKit(livekitConn(s))),
  );

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

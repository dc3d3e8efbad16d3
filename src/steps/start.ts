// The opening: what exists already decides the questions. A rerun (a .env with LiveKit credentials and our
// trunk holding numbers) asks whether to update a number, add one, or change credentials.
import { requiredFor, requireValues } from '../config.js';
import { ServiceError, UsageError } from '../errors.js';
import { CARRIER_IDS, DEFAULT_NAME, type Group } from '../settings.js';
import { clack, dim, red } from '../ui.js';
import { say, select } from './ask.js';
import { livekitConn } from './livekit.js';
import { liveKitLists } from './reads.js';
import { set, type Session } from './session.js';
import { spin } from './spin.js';

export async function start(s: Session): Promise<void> {
  if (!s.prompts) {
    // Without prompts, every missing value is named at once, before anything is touched.
    requireValues(s.values, requiredFor('setup', { db: !s.ctx.options['no-db'] }));
    s.review.add('number');
    return;
  }
  const c = await clack();
  c.intro('create-sip-inbound: inbound calls from your carrier to your LiveKit agent');
  const v = s.values;
  if (!(s.ctx.envFileExists && v.LIVEKIT_URL && v.LIVEKIT_API_KEY && v.LIVEKIT_API_SECRET)) {
    s.review.add('number');
    return;
  }

  const { trunkNumbers } = await import('../services/livekit.js');
  let numbers: string[];
  try {
    // The same listing the LiveKit key check and the plan take: read once for all three.
    const { trunks } = await spin(s, 'Reading your LiveKit setup…', () => liveKitLists(s, livekitConn(s)));
    numbers = trunkNumbers(trunks, v.LIVEKIT_SIP_TRUNK_NAME ?? DEFAULT_NAME);
  } catch (err) {
    if (!(err instanceof UsageError || err instanceof ServiceError)) throw err;
    // The saved credentials no longer work, or LiveKit is out of reach: go straight to the credentials,
    // prefilled, rather than ending the run.
    await say('error', red(err.message));
    s.mode = 'credentials';
    s.review = new Set(['livekit', 'supabase', 'number']);
    return;
  }
  if (!numbers.length) {
    s.review.add('number');
    return;
  }

  await say('info', `Found ${numbers.length} number${numbers.length === 1 ? '' : 's'} on the LiveKit trunk: ${numbers.join(', ')}`);
  const given = v.PHONE_NUMBER;
  const choice = given
    ? numbers.includes(given) ? 'update' : 'add'
    : await select('Update a number, add a number, or change credentials?', [
        { value: 'update', label: 'Update a number', hint: 'its voice, models, agent…' },
        { value: 'add', label: 'Add a number' },
        { value: 'credentials', label: 'Change credentials', hint: 'LiveKit, Supabase, the carrier' },
      ]);
  s.mode = choice as Session['mode'];
  // Changing credentials reviews every carrier's: the carrier may change too (steps/carrier.ts asks it).
  if (s.mode === 'credentials') s.review = new Set(['livekit', 'supabase', ...(CARRIER_IDS as readonly Group[])]);
  else s.review = new Set(['number']);
  if (s.mode === 'update' && !given) {
    const picked =
      numbers.length === 1
        ? numbers[0]!
        : await select('Which number?', numbers.map((n) => ({ value: n, label: n })));
    set(s, 'PHONE_NUMBER', picked, 'prompt');
  }
  if (s.mode === 'credentials' && !given && numbers.length === 1) set(s, 'PHONE_NUMBER', numbers[0], 'live');
  if (s.mode === 'add' && !given) await say('message', dim('Everything else stays; the new number joins the same trunk and rule.'));
}

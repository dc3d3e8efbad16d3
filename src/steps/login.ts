// The trunk's SIP login is the truth. Every SWML that reaches a trunk sends its login (another folder's .env,
// another number's script), so a run that put its own on the trunk would break them. A run takes the login of
// the trunk that carries the number, unless a login was given on purpose (a flag or the environment); and as
// another run may change the trunk between this run's read and its writes, the trunk is read back once after
// the apply, and .env and the SWML follow whatever login it kept.
import type { SIPInboundTrunkInfo } from '@livekit/protocol';
import type { LiveKitLists } from '../services/livekit.js';
import { DEFAULT_NAME } from '../settings.js';
import { out, yellow } from '../ui.js';
import { set, type Session } from './session.js';

const KEYS = ['LIVEKIT_SIP_USERNAME', 'LIVEKIT_SIP_PASSWORD'] as const;

/** A login given on purpose changes the trunk; one that .env merely holds yields to the trunk's. */
const givenOnPurpose = (s: Session) => KEYS.some((k) => s.origin[k] === 'flag' || s.origin[k] === 'env');

const loginOf = (t: SIPInboundTrunkInfo | undefined) =>
  t?.authUsername && t.authPassword ? { username: t.authUsername, password: t.authPassword } : undefined;

const holds = (s: Session, login: { username: string; password: string }) =>
  s.values.LIVEKIT_SIP_USERNAME === login.username && s.values.LIVEKIT_SIP_PASSWORD === login.password;

/**
 * Before planning: the login this run puts in .env, the SWML and the trunk. `trunk` is the one that will carry
 * the number (it may hold it already, or take it now). Returns the plan's line when the trunk's login is
 * taken in place of what .env held (or of none).
 */
export async function chooseLogin(s: Session, trunk: SIPInboundTrunkInfo | undefined): Promise<string | undefined> {
  if (s.ctx.options['no-sip-auth']) return undefined;
  const kept = loginOf(trunk);
  if (kept && !givenOnPurpose(s)) {
    if (holds(s, kept)) return undefined;
    set(s, 'LIVEKIT_SIP_USERNAME', kept.username, 'live');
    set(s, 'LIVEKIT_SIP_PASSWORD', kept.password, 'live');
    return `SIP login: taken from trunk ${trunk!.sipTrunkId} ("${trunk!.name}"), which every SWML reaching it sends`;
  }
  const v = s.values;
  if (v.LIVEKIT_SIP_USERNAME && v.LIVEKIT_SIP_PASSWORD) return undefined;
  // Half given: the other half from the trunk, else made up.
  const { generateSipAuth } = await import('../services/livekit.js');
  const made = generateSipAuth();
  if (!v.LIVEKIT_SIP_USERNAME) set(s, 'LIVEKIT_SIP_USERNAME', trunk?.authUsername || made.username, trunk?.authUsername ? 'live' : 'generated');
  if (!v.LIVEKIT_SIP_PASSWORD) set(s, 'LIVEKIT_SIP_PASSWORD', trunk?.authPassword || made.password, trunk?.authPassword ? 'live' : 'generated');
  return undefined;
}

/**
 * After the apply, over the trunks as read back: when the trunk carrying the number kept a login other than
 * this run's (another run set it meanwhile), this run takes it: the session, .env, then the carrier's route
 * (SignalWire's SWML) through `followRoute`, which says where it went. Says so in one line.
 */
export async function followTrunkLogin(s: Session, lists: LiveKitLists, followRoute: () => Promise<string>): Promise<void> {
  if (s.ctx.options['no-sip-auth']) return;
  const { trunkFor } = await import('../services/livekit.js');
  const j = trunkFor(lists.trunks, s.values.PHONE_NUMBER!, s.values.LIVEKIT_SIP_TRUNK_NAME ?? DEFAULT_NAME);
  const trunk = j.serving ?? j.ours;
  const kept = loginOf(trunk);
  if (!kept || holds(s, kept)) return;
  set(s, 'LIVEKIT_SIP_USERNAME', kept.username, 'live');
  set(s, 'LIVEKIT_SIP_PASSWORD', kept.password, 'live');
  const [{ readEnvFile }, { mergeEnv }, { writeEnvFile }] = await Promise.all([
    import('../config.js'),
    import('../render/env.js'),
    import('../services/env-file.js'),
  ]);
  const file = s.ctx.envFile;
  writeEnvFile(file, mergeEnv(readEnvFile(file).text, { LIVEKIT_SIP_USERNAME: kept.username, LIVEKIT_SIP_PASSWORD: kept.password }, { file }).text);
  const route = await followRoute();
  out(yellow(`SIP login: another run changed trunk ${trunk!.sipTrunkId}'s login meanwhile; ${file} and ${route} now carry it.`));
}

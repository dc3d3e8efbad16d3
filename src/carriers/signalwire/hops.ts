// `check`'s hops on the SignalWire side: the number runs our SWML (with SignalWire credentials), and our `serve`
// endpoint answers with SWML that dials our SIP domain (with API_BASE_URL). Both are skipped when not set up.
import { tool } from '../../invocation.js';
import type { SignalWireState } from './route.js';
import type { Values } from '../../settings.js';
import { swmlTargetFor } from './target.js';
import { swmlUrl } from '../../swml-path.js';
import { numberPage, PASTE_SWML_URL } from './dashboard.js';
import { oneLine } from '../../redact.js';
import { seconds, SWML_ENDPOINT_TIMEOUT_MS } from '../../timing.js';
import type { Hop } from '../../hop.js';

export const SIGNALWIRE_HOP = { id: 'signalwire', title: 'SignalWire number runs our SWML' } as const;
export const SWML_URL_HOP = { id: 'swml-url', title: 'SWML endpoint targets the SIP domain' } as const;

/** SignalWire's hops in `check`: the number runs our SWML, then our `serve` endpoint's SWML (when it serves it). */
export async function signalWireHops(values: Values, e164: string | undefined, observed?: Promise<SignalWireState | undefined>): Promise<Hop[]> {
  // A hop that throws is a failed hop with the error's one line, never a crash of the whole check.
  const guarded = async (hop: { id: string; title: string }, fn: () => Promise<Hop>): Promise<Hop> =>
    fn().catch((err: unknown) => ({ ...hop, ok: false, detail: oneLine(err, values), fix: 'fix the problem named and rerun' }));
  return [
    e164 ? await guarded(SIGNALWIRE_HOP, () => signalWireHop(values, observed)) : { ...SIGNALWIRE_HOP, ok: false, skipped: true, detail: 'needs the number' },
    e164 && values.LIVEKIT_SIP_DOMAIN
      ? await guarded(SWML_URL_HOP, () => swmlUrlHop(values))
      : { ...SWML_URL_HOP, ok: false, skipped: true, detail: 'needs the number and LIVEKIT_SIP_DOMAIN' },
  ];
}

/** `observed`: the number's state already read (the setup's plan or its apply, or a read started earlier); else read here. */
export async function signalWireHop(values: Values, observed?: Promise<SignalWireState | undefined>): Promise<Hop> {
  const [{ judgePointsAt, numberPointsAt }, { safeUrl }, { signalWireConn }] = await Promise.all([import('./route.js'), import('./numbers.js'), import('./http.js')]);
  const conn = signalWireConn(values);
  if (!conn)
    return {
      ...SIGNALWIRE_HOP,
      ok: false,
      skipped: true,
      detail: `no SignalWire credentials: make sure by hand that the number runs the SWML (${numberPage(values.PHONE_NUMBER)})`,
    };
  const e164 = values.PHONE_NUMBER!;
  try {
    const target = swmlTargetFor(values);
    const state = await observed;
    const r = state ? judgePointsAt(conn, e164, target, state) : await numberPointsAt(conn, e164, target);
    if (r.ok) return { ...SIGNALWIRE_HOP, ok: true, detail: `${e164} runs ${r.now}` };
    return {
      ...SIGNALWIRE_HOP,
      ok: false,
      detail: (r.problem ?? `${e164} runs ${r.now}`).replace(/: rerun the wizard to fix it$/, ''),
      fix: values.API_BASE_URL
        ? `rerun ${tool()} to point it, or by hand: ${PASTE_SWML_URL} ${safeUrl(swmlUrl(values.API_BASE_URL))}`
        : `rerun ${tool()} to point it at the SWML script`,
    };
  } catch (err) {
    return {
      ...SIGNALWIRE_HOP,
      ok: false,
      detail: oneLine(err, values),
      fix: 'check SIGNALWIRE_SPACE_URL, SIGNALWIRE_PROJECT_ID and SIGNALWIRE_API_TOKEN (Numbers and Voice scopes)',
    };
  }
}

/** GET <API_BASE_URL>/api/swml-inbound?to=<number>, signed as SignalWire would when a signing key is set. */
export async function swmlUrlHop(values: Values): Promise<Hop> {
  if (!values.API_BASE_URL)
    return { ...SWML_URL_HOP, ok: false, skipped: true, detail: 'no API_BASE_URL: SignalWire hosts the SWML script' };
  const { safeUrl } = await import('./numbers.js');
  const { withoutCredentials } = await import('../../server/signed-url.js');
  // SignalWire signs the URL without any `user:pass@`, and Node's fetch refuses a URL holding one: the
  // request goes to the bare URL, signed over it, with the login as a Basic Authorization header.
  const raw = `${swmlUrl(values.API_BASE_URL)}?to=${encodeURIComponent(values.PHONE_NUMBER!)}`;
  const url = withoutCredentials(raw);
  const shown = safeUrl(swmlUrl(values.API_BASE_URL));
  const domain = values.LIVEKIT_SIP_DOMAIN!;
  const fail = (detail: string, fix: string): Hop => ({ ...SWML_URL_HOP, ok: false, detail, fix });
  const restart = `run \`${tool()} serve\` at ${safeUrl(values.API_BASE_URL)} with the current .env (or fix API_BASE_URL)`;

  const headers: Record<string, string> = { accept: 'application/json' };
  const login = basicLogin(raw);
  if (login) headers.authorization = `Basic ${Buffer.from(login).toString('base64')}`;
  if (values.SIGNALWIRE_SIGNING_KEY) {
    const { swmlSignature } = await import('../../server/signature.js');
    headers['x-signalwire-signature'] = swmlSignature(values.SIGNALWIRE_SIGNING_KEY, url, '');
  }
  let status: number;
  let text: string;
  try {
    const res = await fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(SWML_ENDPOINT_TIMEOUT_MS) });
    status = res.status;
    text = await res.text();
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${seconds(SWML_ENDPOINT_TIMEOUT_MS)}` : (e.cause?.code ?? 'unreachable');
    return fail(`cannot reach ${shown} (${why})`, restart);
  }
  const body = parse(text);
  if (status !== 200) {
    const said = typeof body?.error === 'string' ? `: ${oneLine(body.error, values)}` : '';
    return fail(`GET ${shown} answered ${status}${said}`, status === 403 ? 'give serve and this check the same SIGNALWIRE_SIGNING_KEY' : restart);
  }
  // Read only the target: the document may carry the digest password and is never printed.
  const main = body?.sections?.main;
  const connect = Array.isArray(main) ? main.find((v) => v?.connect)?.connect : undefined;
  const to = typeof connect?.to === 'string' ? connect.to : undefined;
  if (!to) return fail(`GET ${shown} answered without a SWML connect`, restart);
  const host = /^sips?:[^@]*@([^;>]+)/i.exec(to)?.[1]?.toLowerCase();
  if (host !== domain.toLowerCase())
    return fail(`its SWML dials ${host ?? to}, not LIVEKIT_SIP_DOMAIN ${domain}`, restart);
  if (values.LIVEKIT_SIP_USERNAME && (connect!.username !== values.LIVEKIT_SIP_USERNAME || connect!.password !== values.LIVEKIT_SIP_PASSWORD))
    return fail('its SWML carries other SIP digest credentials than .env', restart);
  return { ...SWML_URL_HOP, ok: true, detail: `${shown} dials sip:…@${host}` };
}

/** `user:pass` from a URL's user part, percent-decoded as a browser would send it; undefined without one. */
function basicLogin(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (!u.username && !u.password) return undefined;
  const dec = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return `${dec(u.username)}:${dec(u.password)}`;
}

/** The parts of an answer this hop reads; anything else in it is ignored. */
interface SwmlAnswer {
  error?: unknown;
  sections?: { main?: Array<{ connect?: { to?: unknown; username?: unknown; password?: unknown } } | null> };
}

function parse(text: string): SwmlAnswer | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as SwmlAnswer) : undefined;
  } catch {
    return undefined;
  }
}

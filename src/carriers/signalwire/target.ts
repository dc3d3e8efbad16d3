// Where the number should get its SWML: from our `serve` endpoint when API_BASE_URL is set (the person
// serves it), else from a SWML script that SignalWire hosts. Used by the setup's plan and by `check`.
import { renderSwml, swmlJson } from '../../render/swml.js';
import type { Values } from '../../settings.js';
import type { SwmlTarget } from './swml-scripts.js';
import { swmlUrl } from '../../swml-path.js';

export function swmlTargetFor(v: Values): SwmlTarget {
  if (v.API_BASE_URL) return { kind: 'url', url: swmlUrl(v.API_BASE_URL) };
  return {
    kind: 'hosted',
    swml: swmlJson(renderSwml({ sipDomain: v.LIVEKIT_SIP_DOMAIN!, username: v.LIVEKIT_SIP_USERNAME, password: v.LIVEKIT_SIP_PASSWORD })),
  };
}

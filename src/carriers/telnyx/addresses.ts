// The addresses Telnyx sends SIP signalling from: LiveKit's trunk for a Telnyx number allows only these (an FQDN
// connection authenticates by address and sends no digest login towards the FQDN; FACTS.md "Other carriers").
// Source: https://developers.telnyx.com/docs/voice/sip-trunking/routing/failover-and-retries ("Signaling IP
// addresses": two per region, the INVITE from the primary, a retry from the secondary), read for this list;
// sip.telnyx.com keeps the same table. A connection sends from its `inbound.sip_region` (US unless set), so all
// regions are allowed. Media (RTP) comes from other ranges and is not part of the trunk's allow list.
export const TELNYX_SIGNALLING = [
  '192.76.120.10/32', // US primary
  '64.16.250.10/32', // US secondary
  '5.172.39.10/32', // Europe primary
  '5.172.39.25/32', // Europe secondary
  '193.108.220.10/32', // Canada primary
  '193.108.220.25/32', // Canada secondary
  '103.135.104.10/32', // Australia primary
  '103.135.104.25/32', // Australia secondary
] as const;

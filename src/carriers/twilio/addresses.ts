// The addresses Twilio's Elastic SIP Trunking sends origination INVITEs from: LiveKit's trunk for a Twilio number
// allows only these (Twilio sends no digest login on origination; FACTS.md "Other carriers").
// Source: https://www.twilio.com/docs/sip-trunking/ip-addresses ("Signaling IP addresses", one /30 per edge
// location; Twilio says to allow all of them, as a trunk fails over between edges). The eight /30s below are that
// table as independent copies of it agree, the newest noted as read on 2 September 2026; Twilio may add edges, so
// compare with the current page.
// Media comes from 168.86.128.0/18 (twilio.com/docs/voice/api/sip-interconnect, since 21 February 2024) and is
// not part of the trunk's allow list.
export const TWILIO_SIGNALLING = [
  '54.172.60.0/30', // North America Virginia (ashburn)
  '54.244.51.0/30', // North America Oregon (umatilla)
  '54.171.127.192/30', // Europe Ireland (dublin)
  '35.156.191.128/30', // Europe Frankfurt (frankfurt)
  '54.65.63.192/30', // Asia Pacific Tokyo (tokyo)
  '54.169.127.128/30', // Asia Pacific Singapore (singapore)
  '54.252.254.64/30', // Asia Pacific Sydney (sydney)
  '177.71.206.192/30', // South America São Paulo (sao-paulo)
] as const;

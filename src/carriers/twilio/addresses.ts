// The addresses Twilio's Elastic SIP Trunking sends origination INVITEs from: LiveKit's trunk for a Twilio number
// allows only these (Twilio sends no digest login on origination; FACTS.md "Other carriers").
// Source: https://www.twilio.com/docs/sip-trunking/ip-addresses ("Signaling IP addresses", one /30 per edge
// location). *Unverified*: the page itself could not be read while writing this; the eight /30s below are what
// several independent copies of its table agree on, and one more recent copy also lists further ranges (for
// example 54.172.60.4/30, 34.203.250.0/30, 3.112.80.0/30), so read the current page before relying on the list.
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

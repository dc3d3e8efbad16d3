// Our SWML endpoint: the path `serve` answers on and the URL the number's handler fetches. Where each document
// goes in SignalWire's dashboard is src/carriers/signalwire/dashboard.ts.

/** The path `serve` answers on, under API_BASE_URL. */
export const SWML_PATH = '/api/swml-inbound';

/** The URL SignalWire fetches the SWML from: the public base URL plus our path. */
export const swmlUrl = (baseUrl: string): string => `${baseUrl}${SWML_PATH}`;

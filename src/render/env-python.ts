// How python-dotenv (1.x, parser.py) reads a .env, so the merge can prove that a Python agent reads what Node's
// dotenv reads. This is a faithful port of its reader, checked against the real python-dotenv by the property
// tests; it is only ever used to verify a merge, never to locate what to change (dotenv's own grammar does that).

/** Python's str.isspace() characters (its `\s`), which differ from JavaScript's `\s`. */
const WS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const HWS = WS.replace('\\n', '').replace('\\r', ''); // [^\S\r\n]

const MULTILINE_WS = new RegExp(`[${WS}]*`, 'y');
const EXPORT = new RegExp(`(?:export[${HWS}]+)?`, 'y');
const SINGLE_QUOTED_KEY = /'([^']+)'/y;
const UNQUOTED_KEY = new RegExp(`([^=#${WS}]+)`, 'y');
const WHITESPACE = new RegExp(`[${HWS}]*`, 'y');
const EQUAL_SIGN = new RegExp(`(=[${HWS}]*)`, 'y');
const SINGLE_QUOTED_VALUE = /'((?:\\[\s\S]|[^'\\])*)'/y;
const DOUBLE_QUOTED_VALUE = /"((?:\\[\s\S]|[^"\\])*)"/y;
const UNQUOTED_VALUE = /([^\r\n]*)/y;
const COMMENT = new RegExp(`(?:[${HWS}]*#[^\\r\\n]*)?`, 'y');
const END_OF_LINE = new RegExp(`[${HWS}]*(?:\\r\\n|\\n|\\r|$)`, 'y');
const REST_OF_LINE = /[^\r\n]*(?:\r|\n|\r\n)?/y;
const INLINE_COMMENT = new RegExp(`[${WS}]+#[^\\n]*`);
const TRAILING_WS = new RegExp(`[${WS}]+$`);

const ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

export interface PyBinding {
  key: string | null;
  value: string | null;
  /** Offsets into the text as python reads it (line breaks normalised to \n). */
  start: number;
  end: number;
  error: boolean;
}

class ParseError extends Error {}

/** python-dotenv's bindings, in file order. `text` is normalised the way Python's universal newlines read it. */
export function pythonBindings(raw: string): PyBinding[] {
  const text = raw.replace(/\r\n?/g, '\n').replace(/^\ufeff/, '');
  let pos = 0;
  const read = (re: RegExp): string[] => {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) throw new ParseError();
    pos = re.lastIndex;
    return m.slice(1);
  };
  const out: PyBinding[] = [];
  while (pos < text.length) {
    const start = pos;
    try {
      read(MULTILINE_WS);
      if (pos >= text.length) {
        out.push({ key: null, value: null, start, end: pos, error: false });
        break;
      }
      read(EXPORT);
      let key: string | null = null;
      const c = text[pos];
      if (c === "'") key = read(SINGLE_QUOTED_KEY)[0]!;
      else if (c !== '#') key = read(UNQUOTED_KEY)[0]!;
      read(WHITESPACE);
      let value: string | null = null;
      if (text[pos] === '=') {
        const [eq] = read(EQUAL_SIGN);
        if (eq!.length > 1 && text[pos] === '#') value = '';
        else value = readValue(text, pos, read);
      }
      read(COMMENT);
      read(END_OF_LINE);
      out.push({ key, value, start, end: pos, error: false });
    } catch (err) {
      if (!(err instanceof ParseError)) throw err;
      read(REST_OF_LINE);
      out.push({ key: null, value: null, start, end: pos, error: true });
    }
  }
  return out;
}

function readValue(text: string, pos: number, read: (re: RegExp) => string[]): string {
  const c = text[pos];
  if (c === "'") return read(SINGLE_QUOTED_VALUE)[0]!.replace(/\\[\\']/g, (m) => ESCAPES[m[1]!]!);
  if (c === '"') return read(DOUBLE_QUOTED_VALUE)[0]!.replace(/\\[\\'"abfnrtv]/g, (m) => ESCAPES[m[1]!]!);
  if (c === undefined || c === '\n' || c === '\r') return '';
  const part = read(UNQUOTED_VALUE)[0]!;
  return part.replace(INLINE_COMMENT, '').replace(TRAILING_WS, '');
}

/** What python-dotenv's dotenv_values(interpolate=False) returns: the last binding of each key wins. */
export function pythonParse(text: string): Map<string, string | null> {
  const values = new Map<string, string | null>();
  for (const b of pythonBindings(text)) if (b.key !== null) values.set(b.key, b.value);
  return values;
}

/** python-dotenv expands `${NAME}` and `${NAME:-default}` in every value, quoted or not (interpolate=True). */
export const PYTHON_INTERPOLATION = /\$\{[^}:]*(?::-[^}]*)?\}/;

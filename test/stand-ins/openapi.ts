// Checks a request and its answer against an OpenAPI 3.0 document (the subset Twilio's specs use: type, nullable,
// properties, required, items, enum, pattern, min/maxLength, minimum/maximum, $ref). A stand-in answers 400 to a
// request the document would not accept, and throws on an answer the document does not describe, so a test can
// trust that what passes here would pass the carrier's own validation as far as its published spec tells.
import { readFileSync } from 'node:fs';

type Schema = {
  type?: string;
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  $ref?: string;
};
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
export interface OpenApiDoc {
  'x-source': { repository: string; path: string; version: string; commit: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

export function loadDoc(url: URL): OpenApiDoc {
  return JSON.parse(readFileSync(url, 'utf8')) as OpenApiDoc;
}

export interface Matched {
  template: string;
  operation: Operation;
  params: Record<string, string>;
}

/** The operation for this method and path, with its path parameters; undefined when the document has none. */
export function match(doc: OpenApiDoc, method: string, pathname: string): Matched | undefined {
  for (const [template, ops] of Object.entries(doc.paths)) {
    const names: string[] = [];
    const re = new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, (_, n: string) => (names.push(n), '([^/]+)'))}$`);
    const m = re.exec(pathname);
    const operation = ops[method.toLowerCase()];
    if (m && operation) return { template, operation, params: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])) };
  }
  return undefined;
}

/** Every problem with the request (path, query, form body), or [] when the document accepts it. */
export function checkRequest(doc: OpenApiDoc, m: Matched, query: URLSearchParams, form: URLSearchParams | undefined): string[] {
  const problems: string[] = [];
  const params = m.operation.parameters ?? [];
  for (const p of params.filter((p) => p.in === 'path')) problems.push(...check(doc, p.schema, coerce(p.schema, m.params[p.name]), `path ${p.name}`));
  const known = new Set(params.filter((p) => p.in === 'query').map((p) => p.name));
  for (const k of query.keys()) if (!known.has(k)) problems.push(`query ${k}: not a parameter of ${m.template}`);
  for (const p of params.filter((p) => p.in === 'query'))
    if (query.has(p.name)) problems.push(...check(doc, p.schema, coerce(p.schema, query.get(p.name)!), `query ${p.name}`));
  const body = m.operation.requestBody?.content['application/x-www-form-urlencoded']?.schema;
  if (body) {
    const b = resolve(doc, body);
    const fields: Record<string, unknown> = {};
    for (const [k, v] of form ?? []) {
      const s = b.properties?.[k];
      if (!s) problems.push(`form ${k}: not a field of ${m.template}`);
      else fields[k] = coerce(resolve(doc, s), v);
    }
    problems.push(...check(doc, b, fields, 'form'));
  } else if (form && [...form.keys()].length) problems.push(`${m.template} takes no body`);
  return problems;
}

/** Every problem with an answer of this status and body, or [] when the document describes it. */
export function checkResponse(doc: OpenApiDoc, m: Matched, status: number, body: unknown): string[] {
  const r = m.operation.responses[String(status)];
  if (!r) return [`${m.template}: the document lists no ${status} answer`];
  const schema = r.content?.['application/json']?.schema;
  if (!schema) return body === undefined ? [] : [`${m.template} ${status}: the document lists no body`];
  return check(doc, schema, body, 'answer');
}

function resolve(doc: OpenApiDoc, s: Schema): Schema {
  return s.$ref ? resolve(doc, doc.components.schemas[s.$ref.replace('#/components/schemas/', '')]!) : s;
}

/** Form and query values are text: read them as the schema's type, so the type check means something. */
function coerce(s: Schema, v: string | undefined): unknown {
  if (v === undefined) return undefined;
  if (s.type === 'integer' || s.type === 'number') return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  if (s.type === 'boolean') return v === 'true' ? true : v === 'false' ? false : v;
  return v;
}

function check(doc: OpenApiDoc, raw: Schema, v: unknown, at: string): string[] {
  const s = resolve(doc, raw);
  if (v === undefined) return [];
  if (v === null) return s.nullable || !s.type ? [] : [`${at}: null, not ${s.type}`];
  const out: string[] = [];
  const type = Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;
  if (s.type && !(s.type === type || (s.type === 'number' && type === 'integer'))) return [`${at}: ${JSON.stringify(v)} is not ${s.type}`];
  if (s.enum && !s.enum.includes(v)) out.push(`${at}: ${JSON.stringify(v)} is not one of ${s.enum.join(', ')}`);
  if (typeof v === 'string') {
    if (s.pattern && !new RegExp(s.pattern).test(v)) out.push(`${at}: "${v}" does not match ${s.pattern}`);
    if (s.minLength !== undefined && v.length < s.minLength) out.push(`${at}: shorter than ${s.minLength}`);
    if (s.maxLength !== undefined && v.length > s.maxLength) out.push(`${at}: longer than ${s.maxLength}`);
  }
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) out.push(`${at}: below ${s.minimum}`);
    if (s.maximum !== undefined && v > s.maximum) out.push(`${at}: above ${s.maximum}`);
  }
  if (Array.isArray(v) && s.items) v.forEach((x, i) => out.push(...check(doc, s.items!, x, `${at}[${i}]`)));
  if (type === 'object' && s.properties) {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (o[r] === undefined) out.push(`${at}.${r}: required`);
    for (const [k, x] of Object.entries(o)) {
      const p = s.properties[k];
      if (!p) out.push(`${at}.${k}: not in the document`);
      else out.push(...check(doc, p, x, `${at}.${k}`));
    }
  }
  return out;
}

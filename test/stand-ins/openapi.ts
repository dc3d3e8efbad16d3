// Checks a request and its answer against an OpenAPI document: the subset of 3.0 Twilio's specs use (type, nullable,
// properties, required, items, enum, pattern, min/maxLength, minimum/maximum, $ref) and the 3.1 constructs Telnyx's
// uses (type lists such as ["string","null"], oneOf/anyOf/allOf, discriminator read as its oneOf, additionalProperties,
// multipleOf, $ref to components' schemas, responses and parameters, deepObject query parameters, JSON bodies).
// `format` is not checked. A stand-in refuses a request the document would not accept, and throws on an answer the
// document does not describe, so a test can trust that what passes here would pass the carrier's own validation as
// far as its published spec tells.
import { readFileSync } from 'node:fs';

export type Schema = {
  type?: string | string[];
  nullable?: boolean;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  multipleOf?: number;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  $ref?: string;
};
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  style?: string;
  schema: Schema;
  $ref?: string;
}
interface Response {
  content?: Record<string, { schema: Schema }>;
  $ref?: string;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, Response>;
}
export interface OpenApiDoc {
  'x-source': { repository: string; path: string; version: string; commit: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; responses?: Record<string, Response>; parameters?: Record<string, Parameter> };
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

/** A `$ref` to `#/components/<kind>/<name>`, followed until it is no longer one. */
function deref<T extends { $ref?: string }>(doc: OpenApiDoc, v: T): T {
  let x = v;
  for (let i = 0; x?.$ref && i < 20; i++) {
    const [hash, comp, kind, name] = x.$ref.split('/');
    const target = hash === '#' && comp === 'components' ? (doc.components as Record<string, Record<string, unknown>>)[kind!]?.[name!] : undefined;
    if (!target) throw new Error(`unresolved $ref ${x.$ref}`);
    x = target as T;
  }
  return x;
}

/** Every problem with the request (path, query, form or JSON body), or [] when the document accepts it. */
export function checkRequest(doc: OpenApiDoc, m: Matched, query: URLSearchParams, form: URLSearchParams | undefined, json?: { body: unknown }): string[] {
  const problems: string[] = [];
  const params = (m.operation.parameters ?? []).map((p) => deref(doc, p));
  for (const p of params.filter((p) => p.in === 'path')) problems.push(...check(doc, p.schema, coerce(doc, p.schema, m.params[p.name]), `path ${p.name}`));
  problems.push(...checkQuery(doc, m.template, params.filter((p) => p.in === 'query'), query));
  const content = m.operation.requestBody?.content ?? {};
  const formSchema = content['application/x-www-form-urlencoded']?.schema;
  const jsonSchema = content['application/json']?.schema;
  if (json) {
    if (!jsonSchema) problems.push(`${m.template} takes no JSON body`);
    else problems.push(...check(doc, jsonSchema, json.body, 'body', true));
  } else if (formSchema) {
    const b = resolve(doc, formSchema);
    const fields: Record<string, unknown> = {};
    for (const [k, v] of form ?? []) {
      const s = b.properties?.[k];
      if (!s) problems.push(`form ${k}: not a field of ${m.template}`);
      else fields[k] = coerce(doc, s, v);
    }
    problems.push(...check(doc, b, fields, 'form'));
  } else if (form && [...form.keys()].length) problems.push(`${m.template} takes no body`);
  else if (jsonSchema && m.operation.requestBody?.required) problems.push(`${m.template}: the JSON body is required`);
  return problems;
}

/**
 * The query's parameters: plain ones by name, deepObject ones (`filter[phone_number]`, `page[size]`) gathered into
 * the object their schema describes, so an unknown key inside one is a problem too.
 */
function checkQuery(doc: OpenApiDoc, template: string, params: Parameter[], query: URLSearchParams): string[] {
  const problems: string[] = [];
  const deep: Record<string, Record<string, unknown>> = {};
  for (const [k, v] of query) {
    const [, base, rest] = /^([^[]+)((?:\[[^\]]*\])*)$/.exec(k) ?? [undefined, k, ''];
    const p = params.find((x) => x.name === base);
    if (!p) {
      problems.push(`query ${k}: not a parameter of ${template}`);
      continue;
    }
    if (!rest) {
      problems.push(...check(doc, p.schema, coerce(doc, p.schema, v), `query ${k}`));
      continue;
    }
    if (p.style !== 'deepObject') {
      problems.push(`query ${k}: ${base} is not a deepObject parameter`);
      continue;
    }
    // Walk the schema along the keys, reading the leaf as the type found there.
    const keys = [...rest.matchAll(/\[([^\]]*)\]/g)].map((x) => x[1]!);
    let o = (deep[base!] ??= {});
    let s: Schema | undefined = p.schema;
    keys.forEach((key, i) => {
      s = s ? resolve(doc, s).properties?.[key] : undefined;
      if (i === keys.length - 1) o[key] = s ? coerce(doc, s, v) : v;
      else o = (o[key] ??= {}) as Record<string, unknown>;
    });
  }
  for (const [name, value] of Object.entries(deep)) problems.push(...check(doc, params.find((p) => p.name === name)!.schema, value, `query ${name}`));
  return problems;
}

/**
 * Every problem with an answer of this status and body, or [] when the document describes it (the status, else the
 * operation's `default`). `undescribedBody: 'allow'` accepts any body where the document lists the status without a
 * content (Telnyx lists some error answers by status alone).
 */
export function checkResponse(doc: OpenApiDoc, m: Matched, status: number, body: unknown, opts: { undescribedBody?: 'allow' | 'refuse' } = {}): string[] {
  const listed = m.operation.responses[String(status)] ?? m.operation.responses.default;
  if (!listed) return [`${m.template}: the document lists no ${status} answer`];
  const schema = deref(doc, listed).content?.['application/json']?.schema;
  if (!schema) return body === undefined || opts.undescribedBody === 'allow' ? [] : [`${m.template} ${status}: the document lists no body`];
  return check(doc, schema, body, 'answer');
}

/** An answer checked against a named response component (for an answer no operation lists, such as a 401). */
export function checkNamedResponse(doc: OpenApiDoc, name: string, body: unknown): string[] {
  const schema = deref(doc, { $ref: `#/components/responses/${name}` } as Response).content?.['application/json']?.schema;
  return schema ? check(doc, schema, body, 'answer') : [`no response component ${name}`];
}

/** A value checked against a named schema component (for JSON the document types only as a bare object). */
export function checkNamedSchema(doc: OpenApiDoc, name: string, value: unknown, at = name): string[] {
  return doc.components.schemas[name] ? check(doc, { $ref: `#/components/schemas/${name}` }, value, at) : [`no schema component ${name}`];
}

function resolve(doc: OpenApiDoc, s: Schema): Schema {
  return deref(doc, s);
}

const types = (s: Schema): string[] => (s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type]);

/** Form and query values are text: read them as the schema's type, so the type check means something. */
function coerce(doc: OpenApiDoc, raw: Schema, v: string | undefined): unknown {
  if (v === undefined) return undefined;
  const t = types(resolve(doc, raw));
  if ((t.includes('integer') || t.includes('number')) && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (t.includes('boolean') && (v === 'true' || v === 'false')) return v === 'true';
  return v;
}

/** `strictExtras`: a property the schema does not name is a problem unless additionalProperties allows it. */
function check(doc: OpenApiDoc, raw: Schema, v: unknown, at: string, strictExtras = true): string[] {
  const s = resolve(doc, raw);
  if (v === undefined) return [];
  const out: string[] = [];
  // oneOf / anyOf (a discriminator's mapping names the same branches): one branch that passes is enough.
  for (const branches of [s.oneOf, s.anyOf]) {
    if (!branches) continue;
    const tries = branches.map((b) => check(doc, b, v, at, strictExtras));
    if (!tries.some((t) => t.length === 0)) out.push(`${at}: matches none of ${branches.length} alternatives (${tries.map((t) => t[0]).join(' | ')})`);
  }
  for (const b of s.allOf ?? []) out.push(...check(doc, b, v, at, false));
  const t = types(s);
  if (v === null) {
    if (s.nullable || t.includes('null') || (t.length === 0 && !s.enum) || s.enum?.includes(null)) return out;
    return [...out, `${at}: null, not ${t.join(' or ') || 'one of the enum'}`];
  }
  const type = Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;
  if (t.length && !t.some((x) => x === type || (x === 'number' && type === 'integer'))) return [...out, `${at}: ${JSON.stringify(v)} is not ${t.join(' or ')}`];
  if (s.enum && !s.enum.includes(v)) out.push(`${at}: ${JSON.stringify(v)} is not one of ${s.enum.join(', ')}`);
  if (typeof v === 'string') {
    if (s.pattern && !new RegExp(s.pattern).test(v)) out.push(`${at}: "${v}" does not match ${s.pattern}`);
    if (s.minLength !== undefined && v.length < s.minLength) out.push(`${at}: shorter than ${s.minLength}`);
    if (s.maxLength !== undefined && v.length > s.maxLength) out.push(`${at}: longer than ${s.maxLength}`);
  }
  if (typeof v === 'number') {
    if (s.minimum !== undefined && v < s.minimum) out.push(`${at}: below ${s.minimum}`);
    if (s.maximum !== undefined && v > s.maximum) out.push(`${at}: above ${s.maximum}`);
    if (s.multipleOf !== undefined && !Number.isInteger(v / s.multipleOf)) out.push(`${at}: not a multiple of ${s.multipleOf}`);
  }
  if (Array.isArray(v) && s.items) v.forEach((x, i) => out.push(...check(doc, s.items!, x, `${at}[${i}]`, strictExtras)));
  if (type === 'object' && (s.properties || s.required || s.additionalProperties !== undefined)) {
    const o = v as Record<string, unknown>;
    for (const r of s.required ?? []) if (o[r] === undefined) out.push(`${at}.${r}: required`);
    for (const [k, x] of Object.entries(o)) {
      const p = s.properties?.[k];
      if (p) out.push(...check(doc, p, x, `${at}.${k}`, strictExtras));
      else if (typeof s.additionalProperties === 'object') out.push(...check(doc, s.additionalProperties, x, `${at}.${k}`, strictExtras));
      // A name the schema requires but does not describe (Telnyx's PhoneNumberDetailed requires `tags`) is known.
      else if (s.additionalProperties === false || (s.additionalProperties === undefined && strictExtras && !s.required?.includes(k)))
        out.push(`${at}.${k}: not in the document`);
    }
  }
  return out;
}

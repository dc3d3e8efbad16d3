import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { renderSwml, swmlJson } from '../../src/render/swml.ts';
import { renderCxml, xmlEscape } from '../../src/render/cxml.ts';
import { renderDocument } from '../../src/render/document.ts';
import { parse as parseYaml } from 'yaml';

const host = 'abc123xyz.sip.livekit.cloud';

test('SWML connects to the SIP domain with SWML variable syntax over TCP', () => {
  const doc = JSON.parse(swmlJson(renderSwml({ sipDomain: host })));
  assert.equal(doc.version, '1.0.0');
  assert.deepEqual(doc.sections.main, [{ connect: { to: `sip:%{call.to}@${host};transport=tcp` } }]);
});

test('SWML carries digest credentials only when both are set, exactly as given', () => {
  const password = `p"w\\{{x}}'$&<`;
  const doc = JSON.parse(swmlJson(renderSwml({ sipDomain: host, username: 'sip-user', password })));
  assert.equal(doc.sections.main[0].connect.username, 'sip-user');
  assert.equal(doc.sections.main[0].connect.password, password);
  const half = JSON.parse(swmlJson(renderSwml({ sipDomain: host, username: 'sip-user' })));
  assert.deepEqual(Object.keys(half.sections.main[0].connect), ['to']);
});

test('the YAML form is the same document', async () => {
  const input = { sipDomain: host, username: 'u', password: 'p: #x' };
  assert.deepEqual(parseYaml(await renderDocument('yaml', input)), renderSwml(input));
});

// Parsed by a real XML parser (Python's), not by eye.
function parseXml(xml: string): { target: string; attrs: Record<string, string> } {
  const py = `import sys, json, xml.dom.minidom as m
d = m.parseString(sys.stdin.read().encode())
s = d.getElementsByTagName("Sip")[0]
print(json.dumps({"root": d.documentElement.tagName, "target": s.firstChild.data, "attrs": dict(s.attributes.items())}))`;
  const r = JSON.parse(execFileSync('python3', ['-c', py], { input: xml, encoding: 'utf8' }));
  assert.equal(r.root, 'Response');
  return r;
}

test('cXML is well-formed XML with the same SIP target in cXML variable syntax', () => {
  const r = parseXml(renderCxml({ sipDomain: host }));
  assert.equal(r.target, `sip:{{To}}@${host};transport=tcp`);
  assert.deepEqual(r.attrs, {});
});

test('cXML credentials survive XML escaping', () => {
  const password = `a&b<c>"d'e$&$'`;
  const r = parseXml(renderCxml({ sipDomain: host, username: 'u&1', password }));
  assert.deepEqual(r.attrs, { username: 'u&1', password });
  assert.equal(xmlEscape(`<&>"'`), '&lt;&amp;&gt;&quot;&apos;');
});

// The pieces that decide which URL SignalWire signed: credentials removed (and masked for printing), and
// the first element of an RFC 7239 Forwarded header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstForwarded, fromBaseUrl, maskCredentials, withoutCredentials } from '../../src/server/signed-url.ts';

test('withoutCredentials drops user:pass@ and leaves every other byte', () => {
  assert.equal(withoutCredentials('https://u:p@api.example.com'), 'https://api.example.com');
  assert.equal(withoutCredentials('https://u:p%40ss@API.example.com:8443/base?x=1'), 'https://API.example.com:8443/base?x=1');
  assert.equal(withoutCredentials('https://only-user@api.example.com/x'), 'https://api.example.com/x');
  assert.equal(withoutCredentials('https://u:p@ss@api.example.com'), 'https://api.example.com');
  assert.equal(withoutCredentials('https://api.example.com/a@b'), 'https://api.example.com/a@b');
  assert.equal(withoutCredentials('https://api.example.com'), 'https://api.example.com');
});

test('maskCredentials keeps the user name and hides the password', () => {
  assert.equal(maskCredentials('https://u:s3cret@api.example.com/api/swml-inbound'), 'https://u:••••@api.example.com/api/swml-inbound');
  assert.equal(maskCredentials('https://api.example.com/a@b'), 'https://api.example.com/a@b');
});

test('fromBaseUrl: the base without credentials, then the default port spelled out', () => {
  const urls = fromBaseUrl('https://u:p@api.example.com/', '/api/swml-inbound?a=1');
  assert.equal(urls.primary, 'https://api.example.com/api/swml-inbound?a=1');
  assert.deepEqual(urls.alternates(), ['https://api.example.com:443/api/swml-inbound?a=1']);
});

test('firstForwarded reads host and proto of the first element only (RFC 7239 examples)', () => {
  assert.deepEqual(firstForwarded('for="_gazonk"'), {});
  assert.deepEqual(firstForwarded('For="[2001:db8:cafe::17]:4711"'), {});
  assert.deepEqual(firstForwarded('for=192.0.2.60;proto=http;by=203.0.113.43'), { proto: 'http' });
  assert.deepEqual(firstForwarded('for=192.0.2.43, for=198.51.100.17;host=second'), {});
  assert.deepEqual(firstForwarded('Host="a.example:8443";PROTO=https, host=b.example'), { host: 'a.example:8443', proto: 'https' });
  assert.deepEqual(firstForwarded(['host=a.example', 'host=b.example']), { host: 'a.example' });
  assert.deepEqual(firstForwarded('host="a\\.example"'), { host: 'a.example' });
  assert.deepEqual(firstForwarded(undefined), {});
  assert.deepEqual(firstForwarded('garbage'), {});
});

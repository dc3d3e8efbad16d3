// The baseline for bench/serve.js: the least a node:http server can do for the same request: read the
// body, answer a fixed JSON payload of the given size. Prints its port on stdout as {"listening": url}.
// Usage: node bench/serve-bare.js <payloadBytes>
import http from 'node:http';

const size = Number(process.argv[2] ?? 300);
const payload = Buffer.from(`{"pad":"${'x'.repeat(Math.max(0, size - 11))}"}\n`);
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': payload.length });
    res.end(payload);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ listening: `http://127.0.0.1:${server.address().port}` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

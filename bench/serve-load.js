// Load generator for bench/serve.js, run as its own process: N keep-alive connections on loopback, each
// sending the same request bytes and waiting for the answer before the next. Raw sockets rather than
// node:http so the client costs little next to the server it measures.
// Usage: node bench/serve-load.js <port> <connections> <maxRequests> <maxSeconds> <warmupSeconds> <requestBase64> [serverPid]
// Prints one JSON line: { requests, seconds, rps, p50, p99, failures, cpuUsPerRequest }. The last is the
// server's CPU time per request (Linux /proc), which machine noise disturbs far less than throughput.
import { readFileSync } from 'node:fs';
import net from 'node:net';

const [port, connections, maxRequests, maxSeconds, warmupSeconds] = process.argv.slice(2, 7).map(Number);
const request = Buffer.from(process.argv[7] ?? '', 'base64');
const serverPid = process.argv[8];

/** utime + stime of a process in µs, or undefined where /proc is not there. */
function cpuMicros(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // clock ticks, USER_HZ = 100
  } catch {
    return undefined;
  }
}
const HEADER_END = Buffer.from('\r\n\r\n');

/** Runs the load until `limit` requests or `seconds` have passed; returns latencies (ms) and failures. */
function load(limit, seconds) {
  const latencies = new Float64Array(limit);
  let issued = 0;
  let done = 0;
  let failures = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();

  return new Promise((resolve, reject) => {
    let open = connections;
    const finish = () => {
      if (--open === 0) resolve({ latencies: latencies.subarray(0, done), failures, seconds: (performance.now() - started) / 1000 });
    };
    for (let i = 0; i < connections; i++) {
      const sock = net.connect(port, '127.0.0.1');
      sock.setNoDelay(true);
      let buf = Buffer.alloc(0);
      let sentAt = 0;
      const next = () => {
        if (issued >= limit || performance.now() >= deadline) return void (sock.end(), finish());
        issued++;
        sentAt = performance.now();
        sock.write(request);
      };
      sock.on('connect', next);
      sock.on('error', reject);
      sock.on('data', (chunk) => {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        const end = buf.indexOf(HEADER_END);
        if (end === -1) return;
        const head = buf.toString('latin1', 0, end);
        const declared = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
        if (declared === undefined) return reject(new Error(`response without Content-Length:\n${head}`));
        const length = Number(declared);
        if (buf.length < end + 4 + length) return;
        latencies[done++] = performance.now() - sentAt;
        if (head.slice(9, 12) !== '200') failures++;
        buf = buf.subarray(end + 4 + length);
        next();
      });
    }
  });
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] : NaN;
}

if (warmupSeconds > 0) await load(maxRequests, warmupSeconds);
const cpuBefore = serverPid && cpuMicros(serverPid);
const { latencies, failures, seconds } = await load(maxRequests, maxSeconds);
const cpuAfter = serverPid && cpuMicros(serverPid);
const requests = latencies.length;
const sorted = Float64Array.from(latencies).sort();
const cpuUsPerRequest = cpuBefore !== undefined && cpuAfter !== undefined ? (cpuAfter - cpuBefore) / requests : undefined;
process.stdout.write(
  `${JSON.stringify({ requests, seconds, rps: requests / seconds, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), failures, cpuUsPerRequest })}\n`,
);

/**
 * The load generator, run as its own process (see load.ts) so that it neither shares the server's
 * event loop nor counts in the server's peak RSS. A lean HTTP/1.1 keep-alive client over raw
 * sockets: each connection sends a request, reads the whole response, records its latency and
 * sends the next — the closed-loop model of autocannon/wrk. Prints one JSON LoadResult.
 */
import net from 'node:net';
import type { LoadResult, LoadSpec } from './load.ts';

const CRLF2 = Buffer.from('\r\n\r\n');
const CHUNK_END = Buffer.from('\r\n0\r\n\r\n');

function main(spec: LoadSpec): void {
  const head = [`${spec.method ?? 'GET'} ${spec.path} HTTP/1.1`, `Host: ${spec.host}:${spec.port}`, 'Connection: keep-alive'];
  for (const [k, v] of Object.entries(spec.headers ?? {})) head.push(`${k}: ${v}`);
  const request = Buffer.from(head.join('\r\n') + '\r\n\r\n');

  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let bytes = 0;
  let measuring = false;
  let warmupLeft = spec.warmupRequests ?? 0;
  let stopped = false;
  let measureStart = 0;
  let measureEnd = 0;
  let open = 0;
  let socketErrors = 0;
  let completed = 0;

  const finish = () => {
    if (stopped) return;
    stopped = true;
    measureEnd = performance.now();
  };
  const done = (): boolean => stopped || (spec.requests !== undefined && latencies.length >= spec.requests);

  const beginMeasuring = () => {
    if (measuring) return;
    measuring = true;
    measureStart = performance.now();
    if (spec.durationMs !== undefined) setTimeout(finish, spec.durationMs);
  };

  function connection(): void {
    open++;
    const socket = net.connect({ host: spec.host, port: spec.port });
    socket.setNoDelay(true);
    let buf = Buffer.alloc(0);
    let sentAt = 0;
    let inFlight = false;

    const send = () => {
      if (done()) { finish(); socket.end(); return; }
      inFlight = true;
      sentAt = performance.now();
      socket.write(request);
    };

    const complete = (status: number, size: number) => {
      const ms = performance.now() - sentAt;
      inFlight = false;
      completed++;
      if (measuring && !stopped) {
        latencies.push(ms);
        bytes += size;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status < 200 || status >= 300) errors++;
      } else if (!measuring && warmupLeft > 0 && --warmupLeft === 0 && spec.warmupMs === undefined) {
        beginMeasuring();
      }
      send();
    };

    socket.on('connect', send);
    socket.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      const end = buf.indexOf(CRLF2);
      if (end < 0) return;
      const header = buf.subarray(0, end).toString('latin1');
      const status = Number(header.slice(9, 12));
      const cl = /\r\ncontent-length:\s*(\d+)/i.exec(header);
      let total: number;
      if (cl) {
        total = end + 4 + Number(cl[1]);
      } else if (/\r\ntransfer-encoding:\s*chunked/i.test(header)) {
        const tail = buf.indexOf(CHUNK_END, end);
        if (tail < 0) return;
        total = tail + CHUNK_END.length;
      } else {
        throw new Error(`response without length: ${header}`);
      }
      if (buf.length < total) return;
      const size = total;
      buf = buf.subarray(total);
      complete(status, size);
    });
    socket.on('error', () => {
      if (measuring && !stopped) errors++;
      // A server that refuses connections would otherwise be retried for ever.
      if (++socketErrors > 100) finish();
    });
    socket.on('close', () => {
      open--;
      if (!done()) {
        // The server closed a keep-alive connection under us: count it and reconnect.
        if (inFlight && measuring) errors++;
        connection();
        return;
      }
      if (open === 0) report();
    });
  }

  let reported = false;
  function report(timedOut = false): void {
    if (reported) return;
    reported = true;
    if (!measureEnd) measureEnd = performance.now();
    const seconds = (measureEnd - measureStart) / 1000;
    const sorted = latencies.slice().sort((a, b) => a - b);
    const pct = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);
    const result: LoadResult = {
      requests: latencies.length,
      completed,
      errors,
      statuses,
      seconds,
      rps: latencies.length / seconds,
      p50_ms: pct(50),
      p90_ms: pct(90),
      p99_ms: pct(99),
      max_ms: sorted.length ? sorted[sorted.length - 1] : NaN,
      mean_ms: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
      bytes_per_response: Math.round(bytes / Math.max(1, latencies.length)),
      timed_out: timedOut,
    };
    process.stdout.write(JSON.stringify(result) + '\n', () => timedOut && process.exit(0));
  }

  // A server that stops answering must not hang the benchmark: report what there is.
  setTimeout(() => {
    finish();
    report(true);
  }, spec.timeoutMs ?? 120_000).unref();

  if (spec.warmupMs !== undefined) setTimeout(beginMeasuring, spec.warmupMs);
  else if (warmupLeft === 0) beginMeasuring();
  for (let i = 0; i < spec.connections; i++) connection();
}

main(JSON.parse(process.argv[2]) as LoadSpec);

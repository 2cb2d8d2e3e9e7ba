import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LoadSpec {
  host: string;
  port: number;
  path: string;
  method?: 'GET';
  headers?: Record<string, string>;
  /** Concurrent keep-alive connections, each with one request in flight. */
  connections: number;
  /** Stop after this long of measuring … */
  durationMs?: number;
  /** … or after this many measured requests. */
  requests?: number;
  /** Unmeasured lead-in: a time, or a number of requests. */
  warmupMs?: number;
  warmupRequests?: number;
  /** Give up (reporting what was measured, timed_out: true) after this long; default: the run's length + 60 s. */
  timeoutMs?: number;
}

export interface LoadResult {
  /** Measured requests. */
  requests: number;
  /** Every response, warm-up included (to share out CPU time). */
  completed: number;
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
  rps: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
  mean_ms: number;
  bytes_per_response: number;
  timed_out: boolean;
}

const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'loadgen-child.ts');

/** Runs the load generator in a separate Node process and returns its figures. */
export function load(spec: LoadSpec): Promise<LoadResult> {
  spec = { timeoutMs: (spec.warmupMs ?? 0) + (spec.durationMs ?? 120_000) + 60_000, ...spec };
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), child, JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (d: string) => (out += d));
    p.on('error', reject);
    p.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(new Error(`load generator exited with ${code}: ${out}`));
        return;
      }
      resolve(JSON.parse(last) as LoadResult);
    });
  });
}

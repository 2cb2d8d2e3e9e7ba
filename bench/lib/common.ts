import pg from 'pg';
import { SESSION_COOKIE } from '../../src/server/platform/auth.ts';

/** What every benchmark shares: a timestamped log, rounding, peak memory, medians, timing, admin SQL, login. */
export function logger(name: string): (msg: string) => void {
  const t0 = performance.now();
  return (msg) => console.log(`[${name} ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}`);
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
export const peakRssMb = () => round(process.resourceUsage().maxRSS / 1024, 1);
export const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** One statement on the server's maintenance database (create / drop the benchmark's database). */
export async function adminQuery(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

export async function login(base: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const c = res.headers.getSetCookie().find((x) => x.startsWith(`${SESSION_COOKIE}=`));
  if (!c) throw new Error(`login ${username}: no session cookie`);
  return c.split(';')[0];
}

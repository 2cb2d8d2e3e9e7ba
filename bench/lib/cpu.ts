import fs from 'node:fs';

/**
 * CPU time spent by this process (the server: the load generator is a child process) and by the
 * PostgreSQL backends connected to one database, read from /proc. Deltas per request tell where a
 * route's cost goes even when other work on the machine makes requests per second noisy.
 */
export interface CpuSnapshot {
  nodeMs: number;
  /** null when not on Linux, or for PGlite (it runs inside this process). */
  pgMs: number | null;
}

const TICK_MS = 10; // USER_HZ is 100 on every Linux that matters

function backendsMs(database: string): number | null {
  let pids: string[];
  try {
    pids = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  let ticks = 0;
  for (const pid of pids) {
    try {
      // A backend's title: "postgres: [CLUSTER: ]USER DATABASE HOST(PORT) STATE".
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const m = /^postgres: (?:\S+: )?\S+ (\S+) /.exec(cmd);
      if (!m || m[1] !== database) continue;
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks * TICK_MS;
}

export function cpuSnapshot(database: string | null): CpuSnapshot {
  const u = process.cpuUsage();
  return { nodeMs: (u.user + u.system) / 1000, pgMs: database ? backendsMs(database) : null };
}

/** CPU milliseconds per request between two snapshots. */
export function cpuPerRequest(before: CpuSnapshot, after: CpuSnapshot, requests: number) {
  const per = (a: number | null, b: number | null) => (a === null || b === null || requests === 0 ? null : Math.round(((b - a) / requests) * 1000) / 1000);
  return { node_ms: per(before.nodeMs, after.nodeMs), pg_ms: per(before.pgMs, after.pgMs) };
}

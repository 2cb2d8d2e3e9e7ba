import fs from 'node:fs';

const PAGE = 4096;
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Resident memory of this process's descendants (a browser and its renderers), in bytes, from /proc. */
export function descendantsRss(root = process.pid): number {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1');
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const todo = [...(children.get(root) ?? [])];
  while (todo.length) {
    const pid = todo.pop()!;
    try {
      total += Number(fs.readFileSync(`/proc/${pid}/statm`, 'latin1').split(' ')[1]) * PAGE;
    } catch {
      // gone meanwhile
    }
    todo.push(...(children.get(pid) ?? []));
  }
  return total;
}

export interface RssSample {
  /** ms since start() */
  t: number;
  /** this process's RSS, bytes */
  rss: number;
  /** what the caller says is done (documents), when it says */
  done: number | null;
  total: number | null;
}

/**
 * RSS sampled on a timer while a phase runs: this process (and, with `descendants`, its child processes).
 * A timer only fires when the event loop is free, so a producer that awaits between documents is sampled
 * throughout; the process-wide peak (`maxRSS`) is reported beside it and catches what a sample misses.
 */
export class RssSampler {
  readonly samples: RssSample[] = [];
  maxDescendants = 0;
  done: number | null = null;
  total: number | null = null;
  #timer: NodeJS.Timeout | null = null;
  #t0 = 0;

  constructor(private readonly intervalMs = 200, private readonly descendants = false) {}

  start(): this {
    this.#t0 = performance.now();
    this.sample();
    this.#timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  sample(): void {
    this.samples.push({ t: performance.now() - this.#t0, rss: process.memoryUsage.rss(), done: this.done, total: this.total });
    if (this.descendants) this.maxDescendants = Math.max(this.maxDescendants, descendantsRss());
  }

  stop(): this {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.sample();
    return this;
  }

  maxMb(): number {
    return mb(Math.max(0, ...this.samples.map((s) => s.rss)));
  }

  maxDescendantsMb(): number {
    return mb(this.maxDescendants);
  }

  /**
   * Max RSS over the first and the last tenth of the run: by documents done when the producer reported
   * progress often enough to tell, else by time.
   */
  ends(): { first: number; last: number; by: 'progress' | 'time' } {
    const withProgress = this.samples.filter((s) => s.done != null && s.total);
    const distinct = new Set(withProgress.map((s) => s.done)).size;
    const max = (xs: RssSample[]) => mb(Math.max(0, ...xs.map((s) => s.rss)));
    if (distinct >= 10) {
      const f = (s: RssSample) => s.done! / s.total!;
      return { first: max(withProgress.filter((s) => f(s) <= 0.1)), last: max(withProgress.filter((s) => f(s) >= 0.9)), by: 'progress' };
    }
    const end = this.samples.at(-1)?.t ?? 0;
    return { first: max(this.samples.filter((s) => s.t <= end * 0.1)), last: max(this.samples.filter((s) => s.t >= end * 0.9)), by: 'time' };
  }

  /**
   * Documents per second over the first and the last tenth of the documents (from the progress reports
   * the samples saw): whether the export slows down as it grows. Null without enough progress reports.
   */
  rates(): { first: number; last: number } | null {
    const p = this.samples.filter((s) => s.done != null && s.total);
    if (new Set(p.map((s) => s.done)).size < 10) return null;
    const total = p[0].total!;
    const start = p.find((s) => s.done! > 0);
    const tenth = p.find((s) => s.done! >= total * 0.1);
    const ninth = p.find((s) => s.done! >= total * 0.9);
    const end = p.find((s) => s.done! >= total);
    if (!start || !tenth || !ninth || !end || tenth.t <= 0 || end.t <= ninth.t) return null;
    // From the start of the run (the first page's query included) to the first report at or past 10%.
    const r = (docs: number, ms: number) => Math.round((docs / (ms / 1000)) * 10) / 10;
    return { first: r(tenth.done!, tenth.t), last: r(end.done! - ninth.done!, end.t - ninth.t) };
  }
}

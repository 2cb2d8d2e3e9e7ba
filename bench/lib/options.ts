/** `--name value`, `--name=value` and bare `--flag` (true). */
export type Options = Record<string, string | true>;

export function parseOptions(argv: string[]): Options {
  const out: Options = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}" (options are --name value)`);
    const eq = a.indexOf('=');
    if (eq > 0) {
      out[a.slice(2, eq)] = a.slice(eq + 1);
    } else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      out[a.slice(2)] = argv[++i];
    } else {
      out[a.slice(2)] = true;
    }
  }
  return out;
}

export function intOption(o: Options, name: string, fallback: number): number {
  const v = o[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
  return n;
}

export function stringOption<T extends string>(o: Options, name: string, fallback: T, allowed?: readonly T[]): T {
  const v = o[name];
  if (v === undefined) return fallback;
  if (v === true || (allowed && !allowed.includes(v as T))) {
    throw new Error(`--${name} must be ${allowed ? allowed.join(' | ') : 'a value'}`);
  }
  return v as T;
}

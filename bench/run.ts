/**
 * Benchmark dispatcher: `npm run bench -- NAME [--option value …]` (or `tsx bench/run.ts NAME …`)
 * imports bench/NAME.ts and calls its `run(options)`. Each benchmark prints progress lines and,
 * as its LAST line, one JSON object with every figure it measured.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseOptions, type Options } from './lib/options.ts';

export interface Bench {
  description?: string;
  run(options: Options): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));

function available(): string[] {
  return fs.readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.slice(0, -3)).sort();
}

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  if (!name || name === '--help' || name === '-h') {
    console.log(`usage: npm run bench -- NAME [--option value …]\nbenchmarks: ${available().join(', ')}`);
    process.exitCode = name ? 0 : 2;
    return;
  }
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || !available().includes(name)) {
    console.error(`unknown benchmark "${name}"; benchmarks: ${available().join(', ')}`);
    process.exitCode = 2;
    return;
  }
  const mod = (await import(pathToFileURL(path.join(here, `${name}.ts`)).href)) as Bench;
  await mod.run(parseOptions(rest));
}

main().then(
  // pg-boss timers or pool sockets must not keep a finished benchmark alive.
  () => setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref(),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);

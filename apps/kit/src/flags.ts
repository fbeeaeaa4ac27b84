import { parseArgs } from 'node:util';

/** One command-line flag: its kind, default and help text. */
export type Flag =
  | { kind: 'int' | 'float'; default?: number; help: string; min?: number }
  | { kind: 'string'; default?: string; help: string; choices?: readonly string[] }
  | { kind: 'list'; default?: readonly number[]; help: string }
  | { kind: 'strings'; default?: readonly string[]; help: string; choices?: readonly string[] }
  | { kind: 'bool'; help: string };

type Value<F extends Flag> = F extends { kind: 'int' | 'float' }
  ? number
  : F extends { kind: 'string' }
    ? string
    : F extends { kind: 'list' }
      ? number[]
      : F extends { kind: 'strings' }
        ? string[]
        : boolean;
export type Parsed<S extends Record<string, Flag>> = {
  [K in keyof S]: Value<S[K]> | (S[K] extends { default: unknown } ? never : undefined);
};

/** A bad command line: the app prints the message and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Help text: one line per flag, from the same table that parses them. */
export function usage(command: string, summary: string, spec: Record<string, Flag>): string {
  const rows = Object.entries(spec).map(([name, f]): [string, string] => {
    const arg =
      f.kind === 'bool'
        ? ''
        : f.kind === 'list'
          ? ' N,N,…'
          : f.kind === 'strings'
            ? ` ${f.choices ? f.choices.join(',') : 'S,S,…'}`
            : f.kind === 'string' && f.choices
              ? ` ${f.choices.join('|')}`
              : ` ${f.kind === 'string' ? 'S' : 'N'}`;
    const def =
      'default' in f && f.default !== undefined
        ? ` (default ${Array.isArray(f.default) ? f.default.join(',') : f.default})`
        : '';
    return [`  --${kebab(name)}${arg}`, f.help + def];
  });
  // one column for the flags, wide enough for the longest
  const width = Math.max(34, ...rows.map(([flag]) => flag.length + 2));
  return [
    `Usage: ${command} [flags]`,
    '',
    summary,
    '',
    'Flags:',
    ...rows.map(([flag, help]) => flag.padEnd(width) + help),
    '  --help'.padEnd(width) + 'show this help',
  ].join('\n');
}

/** A number, possibly negative: `-1`, `-0.5`, `-1e-3`, `-3,4`. */
const NUMBERISH = /^-[\d.]/;

/**
 * `--epochs -1` as `--epochs=-1`: node's parseArgs takes `-1` for a flag ("argument is ambiguous"),
 * while a numeric flag followed by a negative number means that number (then checked against `min`).
 */
function joinNegatives(args: string[], spec: Record<string, Flag>): string[] {
  const numeric = new Set(
    Object.entries(spec)
      .filter(([, f]) => f.kind === 'int' || f.kind === 'float' || f.kind === 'list')
      .map(([n]) => `--${kebab(n)}`),
  );
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    if (numeric.has(a) && next !== undefined && NUMBERISH.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/**
 * Parses `argv` against `spec` (camelCase keys become --kebab-case flags); throws UsageError.
 * A leading `--` is dropped: `pnpm start -- --flag` passes it through to the script.
 */
export function parseFlags<S extends Record<string, Flag>>(
  argv: readonly string[],
  spec: S,
): Parsed<S> & { help: boolean } {
  const options = Object.fromEntries([
    ['help', { type: 'boolean' as const }],
    ...Object.entries(spec).map(([n, f]) => [
      kebab(n),
      { type: f.kind === 'bool' ? ('boolean' as const) : ('string' as const) },
    ]),
  ]);
  let values: Record<string, string | boolean | undefined>;
  try {
    const args = joinNegatives(argv[0] === '--' ? argv.slice(1) : [...argv], spec);
    values = parseArgs({ args, options, strict: true, allowPositionals: false })
      .values as typeof values;
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[\w+\]: /, ''));
  }
  const out: Record<string, unknown> = { help: values.help === true };
  for (const [name, f] of Object.entries(spec)) {
    const raw = values[kebab(name)];
    const flag = `--${kebab(name)}`;
    if (raw === undefined) {
      out[name] = f.kind === 'bool' ? false : f.default;
      continue;
    }
    if (f.kind === 'bool') out[name] = raw === true;
    else if (f.kind === 'string') {
      if (f.choices && !f.choices.includes(raw as string))
        throw new UsageError(`${flag} must be one of ${f.choices.join(', ')}, got '${raw}'`);
      out[name] = raw;
    } else if (f.kind === 'list') {
      const parts = (raw as string) === '' ? [] : (raw as string).split(',').map(Number);
      if (parts.some((n) => !Number.isInteger(n) || n <= 0))
        throw new UsageError(`${flag} takes positive integers separated by commas, got '${raw}'`);
      out[name] = parts;
    } else if (f.kind === 'strings') {
      const parts = (raw as string).split(',').filter((p) => p !== '');
      const bad = f.choices ? parts.filter((p) => !f.choices!.includes(p)) : [];
      if (parts.length === 0 || bad.length)
        throw new UsageError(
          `${flag} takes ${f.choices ? `some of ${f.choices.join(', ')}` : 'names'} separated by commas, got '${raw}'`,
        );
      out[name] = parts;
    } else {
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n) || (f.kind === 'int' && !Number.isInteger(n)))
        throw new UsageError(
          `${flag} takes ${f.kind === 'int' ? 'an integer' : 'a number'}, got '${raw}'`,
        );
      if (f.min !== undefined && n < f.min)
        throw new UsageError(`${flag} must be at least ${f.min}, got ${n}`);
      out[name] = n;
    }
  }
  return out as Parsed<S> & { help: boolean };
}

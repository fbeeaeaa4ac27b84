import { NablaError } from '@nablajs/tensor';

/** Invalid hyper-parameters, parameter lists or state dicts given to an optimizer or a scheduler.
 * `op` names the class that refused them (`Adam`, `StepLR`, …). */
export class OptimizerError extends NablaError {}

const SNAKE = /_([a-z])/g;

/** Throws unless every key of `options` is one of `allowed`; PyTorch's snake_case names get a hint. */
export function checkKeys(
  op: string,
  options: object,
  allowed: readonly string[],
  what = 'option',
): void {
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const camel = key.replace(SNAKE, (_, c: string) => c.toUpperCase());
    const hint = allowed.includes(camel)
      ? `did you mean '${camel}'? Nabla spells PyTorch's options in camelCase`
      : `expected one of: ${allowed.join(', ')}`;
    throw new OptimizerError(op, `unknown ${what} '${key}'`, hint);
  }
}

/** A finite number ≥ 0 (NaN and ±Infinity are refused too). */
export function checkNonNegative(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new OptimizerError(
      op,
      `invalid ${name}: ${String(value)}`,
      `${name} must be a finite number ≥ 0`,
    );
  return value;
}

export function checkFinite(op: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new OptimizerError(
      op,
      `invalid ${name}: ${String(value)}`,
      `${name} must be a finite number`,
    );
  return value;
}

export function checkBoolean(op: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean')
    throw new OptimizerError(
      op,
      `invalid ${name}: ${String(value)}`,
      `${name} must be true or false`,
    );
  return value;
}

/** Adam's `betas`: two numbers in [0, 1). */
export function checkBetas(op: string, value: unknown): [number, number] {
  if (!Array.isArray(value) || value.length !== 2)
    throw new OptimizerError(
      op,
      `invalid betas: ${JSON.stringify(value)}`,
      'betas must be a pair [beta1, beta2], e.g. [0.9, 0.999]',
    );
  value.forEach((b: unknown, i) => {
    if (typeof b !== 'number' || !(b >= 0 && b < 1))
      throw new OptimizerError(
        op,
        `invalid beta parameter at index ${i}: ${String(b)}`,
        'betas must be in [0, 1)',
      );
  });
  return [value[0] as number, value[1] as number];
}

/** How each option of `O` is checked, given its value with the defaults merged in (undefined when
 * neither the group nor the defaults set it): the valid value, or an `OptimizerError`. */
export type OptionChecks<O> = { readonly [K in keyof O]-?: (op: string, value: unknown) => O[K] };

/** `value`, or `unset` when value is null or undefined (when `unset` is given). */
const or = (value: unknown, unset: unknown) => (unset === undefined ? value : (value ?? unset));

/** A check of a finite number ≥ 0 (`unset`: the value when the option is not set). */
export const nonNegative =
  (name: string, unset?: number) =>
  (op: string, value: unknown): number =>
    checkNonNegative(op, name, or(value, unset));

/** A check of a finite number. */
export const finite =
  (name: string, unset?: number) =>
  (op: string, value: unknown): number =>
    checkFinite(op, name, or(value, unset));

/** A check of a boolean. */
export const boolean =
  (name: string, unset?: boolean) =>
  (op: string, value: unknown): boolean =>
    checkBoolean(op, name, or(value, unset));

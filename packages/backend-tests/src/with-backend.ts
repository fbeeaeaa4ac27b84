import { describe, test } from 'vitest';

/** Whether a missing backend fails the tests (CI sets NABLA_REQUIRE_WEBGPU=1) instead of skipping. */
const requiredByEnv = (): boolean =>
  (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env[
    'NABLA_REQUIRE_WEBGPU'
  ] === '1';

/**
 * Defines tests that need a backend which may be missing (WebGPU without an adapter): `define` runs
 * with the backend `make()` creates. When it cannot be created, the file gets one skipped block
 * titled with the reason (printed too) or, where the backend is required, one failing test.
 * @param name Names the backend in the skip reason, e.g. 'WebGPU'.
 * @param required Fail instead of skipping (default: NABLA_REQUIRE_WEBGPU=1 in the environment).
 * @param hint Added to the reason, e.g. how to enable the backend.
 */
export async function describeWithBackend<B>(
  name: string,
  make: () => Promise<B>,
  define: (backend: B) => void,
  { required = requiredByEnv(), hint = '' }: { required?: boolean; hint?: string } = {},
): Promise<void> {
  let backend: B;
  try {
    backend = await make();
  } catch (cause) {
    const reason = `${name} tests skipped: ${(cause as Error).message}${hint && ` ${hint}`}`;
    if (required)
      test(`${name} can be created (required here: NABLA_REQUIRE_WEBGPU=1)`, () => {
        throw new Error(reason, { cause });
      });
    else {
      console.warn(reason);
      describe.skip(reason, () => test('needs the backend', () => {}));
    }
    return;
  }
  define(backend);
}

// Which build of the kernels this engine runs (scripts/build-wasm.mjs makes four: a memory of its own
// or a shared one, each with the matmul tiles' multiply-adds as f32x4 mul then add, or fused with
// relaxed SIMD's f32x4.relaxed_madd). The fused build runs wherever the engine validates it: Chrome
// and Edge 114+, Node 21+, and Node 20 started with --experimental-wasm-relaxed-simd. On a CPU with
// fused multiply-add (x86's FMA3, Arm) each multiply-add rounds once instead of twice: the same
// products to float32 rounding, and the LeNet and MLP matmuls ~1.2× faster (1.19–1.25× measured, bench/README.md).
import {
  kernelsRelaxedSharedWasmBase64,
  kernelsRelaxedWasmBase64,
  kernelsSharedWasmBase64,
  kernelsWasmBase64,
} from './kernels.generated.js';

/** `fused`: the tiles' multiply-adds fused (relaxed SIMD); `plain`: multiply, then add. */
export type KernelBuild = 'fused' | 'plain';

const BASE64: Record<KernelBuild, readonly [own: string, shared: string]> = {
  plain: [kernelsWasmBase64, kernelsSharedWasmBase64],
  fused: [kernelsRelaxedWasmBase64, kernelsRelaxedSharedWasmBase64],
};

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Whether this engine validates a build's module (its own-memory form): exact, and not compiled. */
export function validates(build: KernelBuild): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(kernelBytes(build, false));
  } catch {
    return false;
  }
}

let chosen: KernelBuild | undefined;

/**
 * The build the kernels run: fused where the engine runs relaxed SIMD, plain elsewhere. On a CPU
 * without fused multiply-add the engine computes the fused build's relaxed_madd as a multiply then
 * an add: `'fused'` names the build, not what the CPU does.
 */
export function kernelBuild(): KernelBuild {
  return (chosen ??= validates('fused') ? 'fused' : 'plain');
}

/** A build's module bytes, with a memory of its own or importing a shared one (env.memory). */
export function kernelBytes(build: KernelBuild, shared: boolean): Uint8Array<ArrayBuffer> {
  return decodeBase64(BASE64[build][shared ? 1 : 0]);
}

import { BackendError, type WindowGeometry } from '@nablajs/tensor';
import type { GpuStorage, Runtime } from './runtime.js';
import type { Ref } from './wgsl.js';

// Placeholder until the WGSL kernels land: the methods exist so the Backend type is complete.
const todo = (op: string): never => {
  throw new BackendError(op, 'not yet implemented on WebGPU');
};

/** The sliding-window kernels on WebGPU. */
export function windowKernels(_rt: Runtime): {
  im2col(x: Ref, g: WindowGeometry): GpuStorage;
  col2im(cols: Ref, g: WindowGeometry): GpuStorage;
  maxPool(x: Ref, g: WindowGeometry): [GpuStorage, GpuStorage];
  maxPoolGrad(grad: Ref, indices: Ref, g: WindowGeometry): GpuStorage;
} {
  return {
    im2col: () => todo('im2col'),
    col2im: () => todo('col2im'),
    maxPool: () => todo('maxPool'),
    maxPoolGrad: () => todo('maxPoolGrad'),
  };
}

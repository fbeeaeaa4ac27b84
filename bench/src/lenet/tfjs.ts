// TF.js 4.22's `wasm` backend (single-threaded SIMD build) on C1 with the core API: LeNet-5 in TF.js's
// layout, NHWC images and [kH, kW, in, out] filters, tf.losses.softmaxCrossEntropy, Adam.
// The wasm backend has no Conv2DBackpropFilter kernel, so TF.js cannot train a convolution there as
// it is; the convolutions get a custom gradient made of kernels it has: ∂x = conv2dTranspose(dy, w)
// (Conv2DBackpropInput), and ∂w as a convolution of x with dy over the batch (both transposed).
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { MnistData } from '@nablajs/data';
import type { Trainer } from '../mnist/protocol.js';
import { registerTfjsGradients } from '../mnist/tfjs-gradients.js';
import { C1 } from './workload.js';

interface Model {
  vars: Record<string, tf.Variable>;
  opt: tf.Optimizer;
}

/** ∂loss/∂w of a stride-1 conv2d: x [N, H, W, Ci] with dy [N, Ho, Wo, Co] → [kH, kW, Ci, Co]. */
export function filterGrad(x: tf.Tensor4D, dy: tf.Tensor4D, pad: number): tf.Tensor4D {
  const xt = tf.transpose(x, [3, 1, 2, 0]); // [Ci, H, W, N]: the channels as the batch
  const dyt = tf.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, N, Co]: dy as the filter
  return tf.transpose(tf.conv2d(xt, dyt, 1, pad), [1, 2, 0, 3]);
}

/** conv2d (stride 1, symmetric `pad`) with the gradient above. */
const conv = (pad: number) =>
  tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x4, w4, save] = args as [tf.Tensor4D, tf.Tensor4D, tf.GradSaveFunc];
    save([x4, w4]);
    return {
      value: tf.conv2d(x4, w4, 1, pad),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        return [
          tf.conv2dTranspose(dy as tf.Tensor4D, ws, xs.shape, 1, pad),
          filterGrad(xs, dy as tf.Tensor4D, pad),
        ];
      },
    };
  });

export async function tfjsLenetTrainer(data: MnistData): Promise<Trainer<Model>> {
  await registerTfjsGradients();
  const wasmDir = path.dirname(
    createRequire(import.meta.url).resolve(
      '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
    ),
  );
  // Threads would start workers from blob URLs, which Node refuses: the single-threaded SIMD build.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  setWasmPaths(`${wasmDir}/`);
  if (!(await tf.setBackend('wasm'))) throw new Error("TF.js backend 'wasm' did not start");
  await tf.ready();
  const conv1 = conv(2);
  const conv2 = conv(0);

  const forward = ({ vars: v }: Model, x: tf.Tensor4D): tf.Tensor2D => {
    let h = tf.relu(tf.add(conv1(x, v.c1w!) as tf.Tensor4D, v.c1b!)) as tf.Tensor4D;
    h = tf.maxPool(h, 2, 2, 'valid');
    h = tf.relu(tf.add(conv2(h, v.c2w!) as tf.Tensor4D, v.c2b!)) as tf.Tensor4D;
    h = tf.maxPool(h, 2, 2, 'valid');
    let z = tf.reshape(h, [h.shape[0], 400]) as tf.Tensor2D;
    z = tf.relu(tf.add(tf.matMul(z, v.f1w!), v.f1b!)) as tf.Tensor2D;
    z = tf.relu(tf.add(tf.matMul(z, v.f2w!), v.f2b!)) as tf.Tensor2D;
    return tf.add(tf.matMul(z, v.f3w!), v.f3b!);
  };
  const images = (split: MnistData['train'], s: number, n: number) =>
    tf.tensor4d(split.images.subarray(s * 784, (s + n) * 784), [n, 28, 28, 1]);

  return {
    create(seed) {
      // PyTorch's default: weight and bias ~ U(±1/√fan_in)
      const u = (shape: number[], fanIn: number, i: number) =>
        tf.variable(
          tf.randomUniform(
            shape,
            -1 / Math.sqrt(fanIn),
            1 / Math.sqrt(fanIn),
            'float32',
            seed * 100 + i,
          ),
        );
      const vars = {
        c1w: u([5, 5, 1, 6], 25, 1), c1b: u([6], 25, 2),
        c2w: u([5, 5, 6, 16], 150, 3), c2b: u([16], 150, 4),
        f1w: u([400, 120], 400, 5), f1b: u([120], 400, 6),
        f2w: u([120, 84], 120, 7), f2b: u([84], 120, 8),
        f3w: u([84, 10], 84, 9), f3b: u([10], 84, 10),
      }; // prettier-ignore
      return { vars, opt: tf.train.adam(C1.lr, 0.9, 0.999, 1e-8) }; // PyTorch's eps, not TF's 1e-7
    },
    train(m, maxBatches = Infinity) {
      const train = data.train;
      const B = C1.batchSize;
      const list = Object.values(m.vars);
      for (let b = 0, s = 0; s < train.count && b < maxBatches; b++, s += B) {
        const n = Math.min(B, train.count - s);
        tf.tidy(() => {
          const x = images(train, s, n);
          const y = tf.oneHot(tf.tensor1d(train.labels.subarray(s, s + n), 'int32'), 10);
          m.opt.minimize(
            () => tf.losses.softmaxCrossEntropy(y, forward(m, x)) as tf.Scalar,
            false,
            list,
          );
        });
      }
    },
    async accuracy(m) {
      const test = data.test;
      let correct = 0;
      for (let s = 0; s < test.count; s += 1000) {
        const n = Math.min(1000, test.count - s);
        const hits = tf.tidy(() => {
          const y = tf.tensor1d(test.labels.subarray(s, s + n), 'int32');
          return tf.sum(
            tf.cast(tf.equal(tf.argMax(forward(m, images(test, s, n)), 1), y), 'int32'),
          );
        });
        correct += (await hits.data())[0]!;
        hits.dispose();
      }
      return correct / test.count;
    },
    dispose(m) {
      tf.dispose(Object.values(m.vars));
      m.opt.dispose();
    },
    info: { tfjs: tf.version_core, backend: 'wasm' },
  };
}

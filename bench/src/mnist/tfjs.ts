// TF.js 4.22 with its core API (no Layers): weights as tf.variable [in, out] so y = x·W + b,
// tf.losses.softmaxCrossEntropy (mean over the mini-batch), optimizer.minimize, tf.tidy; on the
// `cpu` (plain JS) or `wasm` (single-threaded SIMD build) backend.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { MnistData } from '@nablajs/data';
import type { Trainer } from './protocol.js';
import { registerTfjsGradients } from './tfjs-gradients.js';
import { initStd, type Workload } from './workloads.js';

interface Model {
  weights: tf.Variable[];
  biases: tf.Variable[];
  opt: tf.Optimizer;
}

export async function tfjsTrainer(
  w: Workload,
  data: MnistData,
  backend: 'cpu' | 'wasm',
): Promise<Trainer<Model>> {
  await registerTfjsGradients();
  if (backend === 'wasm') {
    const wasmDir = path.dirname(
      createRequire(import.meta.url).resolve(
        '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
      ),
    );
    // Threads would start workers from blob URLs, which Node refuses: the single-threaded SIMD build.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(`${wasmDir}/`);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend '${backend}' did not start`);
  await tf.ready();
  const features = w.sizes[0]!;
  const classes = w.sizes[w.sizes.length - 1]!;
  const train = data.train;
  const test = data.test;

  const forward = (m: Model, x: tf.Tensor2D): tf.Tensor2D => {
    let h: tf.Tensor2D = x;
    const last = m.weights.length - 1;
    m.weights.forEach((W, i) => {
      h = tf.add(tf.matMul(h, W as tf.Tensor2D), m.biases[i]!);
      if (i < last) h = w.activation === 'relu' ? tf.relu(h) : tf.sigmoid(h);
    });
    return h;
  };

  return {
    create(seed) {
      const weights: tf.Variable[] = [];
      const biases: tf.Variable[] = [];
      for (let i = 1; i < w.sizes.length; i++) {
        const fanIn = w.sizes[i - 1]!;
        const shape: [number, number] = [fanIn, w.sizes[i]!];
        weights.push(
          tf.variable(tf.randomNormal(shape, 0, initStd(w, fanIn), 'float32', seed * 100 + i)),
        );
        biases.push(tf.variable(tf.zeros([w.sizes[i]!])));
      }
      const opt =
        w.optimizer === 'adam'
          ? tf.train.adam(w.lr, 0.9, 0.999, 1e-8) // PyTorch's and Nabla's eps, not TF's 1e-7
          : tf.train.sgd(w.lr);
      return { weights, biases, opt };
    },
    train(m, maxBatches = Infinity) {
      const vars = [...m.weights, ...m.biases];
      const B = w.batchSize;
      for (let b = 0, s = 0; s < train.count && b < maxBatches; b++, s += B) {
        const n = Math.min(B, train.count - s);
        tf.tidy(() => {
          const x = tf.tensor2d(train.images.subarray(s * features, (s + n) * features), [
            n,
            features,
          ]);
          const y = tf.oneHot(tf.tensor1d(train.labels.subarray(s, s + n), 'int32'), classes);
          m.opt.minimize(
            () => tf.losses.softmaxCrossEntropy(y, forward(m, x)) as tf.Scalar,
            false,
            vars,
          );
        });
      }
    },
    async accuracy(m) {
      let correct = 0;
      for (let s = 0; s < test.count; s += 1000) {
        const n = Math.min(1000, test.count - s);
        const hits = tf.tidy(() => {
          const x = tf.tensor2d(test.images.subarray(s * features, (s + n) * features), [
            n,
            features,
          ]);
          const y = tf.tensor1d(test.labels.subarray(s, s + n), 'int32');
          return tf.sum(tf.cast(tf.equal(tf.argMax(forward(m, x), 1), y), 'int32'));
        });
        correct += (await hits.data())[0]!;
        hits.dispose();
      }
      return correct / test.count;
    },
    dispose(m) {
      tf.dispose([...m.weights, ...m.biases]);
      m.opt.dispose();
    },
    info: { tfjs: tf.version_core, backend: tf.getBackend() },
  };
}

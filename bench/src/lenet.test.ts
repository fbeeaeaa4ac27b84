// The LeNet benchmark's custom convolution gradient, which lets TF.js wasm train LeNet (checked against TF.js's own Conv2DBackpropFilter on its cpu backend).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, test } from 'vitest';
import { filterGrad } from './lenet/tfjs.js';
import { registerTfjsGradients } from './mnist/tfjs-gradients.js';

describe('lenet benchmark', () => {
  test.each([0, 2])(
    "filterGrad equals TF.js's conv2d filter gradient (pad %i)",
    async (pad) => {
      await registerTfjsGradients();
      await tf.setBackend('cpu');
      const x = tf.randomNormal([3, 7, 7, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
      const dy = tf.randomNormal(tf.conv2d(x, w, 1, pad).shape, 0, 1, 'float32', 3) as tf.Tensor4D;
      const [, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, pad), dy)),
      )([x, w]);
      const ours = filterGrad(x, dy, pad);
      expect(ours.shape).toEqual(w.shape);
      const diff = tf.max(tf.abs(tf.sub(ours, dw!))).dataSync()[0]!;
      expect(diff).toBeLessThan(1e-4);
    },
    30_000,
  ); // registering TF.js's gradients imports some 200 modules
});

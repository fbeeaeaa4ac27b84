import { noGrad } from '@nablajs/autograd';
import { DataLoader } from '@nablajs/data';
import { Linear, mseLoss } from '@nablajs/nn';
import { Adam } from '@nablajs/optim';
import { type Tensor, tensor, zeros } from '@nablajs/tensor';
import { initWeight, type Net } from './model.js';
import { activate } from './probe.js';

export interface PretrainOptions {
  epochs: number;
  batchSize: number;
  seed: number;
  /** Adam's step size for the autoencoders. */
  lr?: number;
  onImages?: ((n: number) => void) | undefined;
}

/**
 * Greedy layer-wise pre-training (Bengio et al. 2007): for each hidden layer in turn, an autoencoder
 * enc = Linear(n_{l−1}, n_l) + the net's activation, dec = Linear(n_l, n_{l−1}) learns to reconstruct
 * the previous layer's activations (the images for the first layer) under the mean squared error; its
 * encoder's weights and biases are then copied into the net, and its codes feed the next layer.
 * Returns each autoencoder's mean reconstruction error over its last epoch.
 */
export async function pretrainLayers(
  net: Net,
  train: { images: Float32Array; count: number },
  o: PretrainOptions,
): Promise<number[]> {
  const { count } = train;
  let inputs = train.images;
  const losses: number[] = [];
  const hidden = net.linears.length - 1;
  for (let l = 0; l < hidden; l++) {
    const target = net.linears[l]!;
    const [nIn, nOut] = [target.inFeatures, target.outFeatures];
    const enc = new Linear(nIn, nOut);
    const dec = new Linear(nOut, nIn);
    initWeight(enc, net.spec.init);
    initWeight(dec, 'nielsen');
    const optimizer = new Adam([...enc.parameters(), ...dec.parameters()], { lr: o.lr ?? 1e-3 });
    const dataset = { images: inputs, labels: new Int32Array(count), featureShape: [nIn] };
    const loader = new DataLoader(dataset, { batchSize: o.batchSize, shuffle: true, seed: o.seed });
    let last = NaN;
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      let sum: Tensor = zeros([]);
      for (const { x } of loader) {
        const loss = mseLoss(dec.forward(activate(enc.forward(x), net.spec.activation)), x);
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
        sum = sum.add(loss.data.mul(x.shape[0]!));
        o.onImages?.(x.shape[0]!);
      }
      last = (await sum.item()) / count;
    }
    losses.push(last);
    target.weight.data.assign(enc.weight.data);
    target.bias!.data.assign(enc.bias!.data);
    // the codes of this layer are the next autoencoder's inputs
    const codes = new Float32Array(count * nOut);
    for (let start = 0; start < count; start += 1000) {
      const end = Math.min(count, start + 1000);
      const x = tensor(inputs.subarray(start * nIn, end * nIn), { shape: [end - start, nIn] });
      const h = noGrad(() => activate(enc.forward(x), net.spec.activation));
      codes.set(await h.data.data(), start * nOut);
    }
    inputs = codes;
  }
  return losses;
}

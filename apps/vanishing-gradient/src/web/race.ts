// The page's experiment: the same deep network with sigmoid and with ReLU, trained side by side on
// the same mini-batches, with the gradient norm of each hidden layer's biases read as they train.
// Runs in the page's worker, and in Node in the tests. One read per chunk of steps.
import { noGrad } from '@nablajs/autograd';
import { permutation } from '@nablajs/data';
import { crossEntropy } from '@nablajs/nn';
import { SGD } from '@nablajs/optim';
import { manualSeed, stack, type Tensor, zeros } from '@nablajs/tensor';
import { batchTensors, type MnistBytes, range } from 'app-kit/web';
import { buildNet, defaultInit, hiddenSizes, type Net } from '../model.js';
import { type RaceConfig, RUNNERS, type Runner } from './config.js';

export { DEFAULT_RACE, type RaceConfig, RUNNERS, type Runner } from './config.js';

/** Per network: the values of one chunk of steps. */
export type PerRunner<T> = Record<Runner, T>;

export interface RaceChunk {
  steps: number;
  step: number;
  epoch: number;
  /** Mean training loss over the chunk. */
  loss: PerRunner<number>;
  /** ‖∂C/∂b^l‖ of each hidden layer l = 1…L (first to last), averaged over the chunk's batches. */
  norms: PerRunner<number[]>;
}

interface Lane {
  net: Net;
  optimizer: SGD;
}

export class Race {
  readonly lanes: PerRunner<Lane>;
  step = 0;
  private epochs = 0;
  private cursor = 0;
  private order: Int32Array;

  constructor(
    readonly config: RaceConfig,
    readonly data: MnistBytes,
  ) {
    const n = data.train.count;
    const sizes = hiddenSizes(config.depth, config.width);
    const lane = (activation: Runner): Lane => {
      manualSeed(config.seed); // both nets start from the same draws where their inits agree
      const net = buildNet({ sizes, activation, init: defaultInit(activation) });
      const params = net.module.parameters();
      const optimizer = new SGD(
        [
          { params: params.filter((p) => p.rank > 1), weightDecay: config.l2 / n },
          { params: params.filter((p) => p.rank <= 1), weightDecay: 0 },
        ],
        { lr: config.lr },
      );
      return { net, optimizer };
    };
    this.lanes = { sigmoid: lane('sigmoid'), relu: lane('relu') };
    this.order = permutation(n, config.seed, 0);
  }

  get batchesPerEpoch(): number {
    return Math.max(1, Math.floor(this.data.train.count / this.config.batchSize));
  }

  /** `steps` SGD steps of both networks on the same batches; one read at the end. */
  async train(steps: number): Promise<RaceChunk> {
    const { batchSize, seed } = this.config;
    const n = this.data.train.count;
    const sums = {} as PerRunner<{ loss: Tensor; norms: Tensor }>;
    for (const r of RUNNERS) sums[r] = { loss: zeros([]), norms: zeros([this.config.depth]) };
    for (let s = 0; s < steps; s++) {
      if (this.cursor + batchSize > n) {
        this.order = permutation(n, seed, ++this.epochs);
        this.cursor = 0;
      }
      const { x, y } = batchTensors(this.data.train, this.order, this.cursor, batchSize);
      this.cursor += batchSize;
      for (const r of RUNNERS) {
        const { net, optimizer } = this.lanes[r];
        const loss = crossEntropy(net.module.forward(x), y);
        optimizer.zeroGrad();
        loss.backward();
        // the gradients the step is about to use: ∂C/∂b of each hidden layer
        const norms = stack(
          net.linears.slice(0, -1).map((l) => l.bias!.grad!.square().sum()),
        ).sqrt();
        optimizer.step();
        sums[r] = { loss: sums[r].loss.add(loss.data), norms: sums[r].norms.add(norms) };
      }
      this.step++;
    }
    const read = async (t: Tensor) => Array.from(await t.div(steps).data());
    const [sl, sn, rl, rn] = await Promise.all([
      read(sums.sigmoid.loss),
      read(sums.sigmoid.norms),
      read(sums.relu.loss),
      read(sums.relu.norms),
    ]);
    return {
      steps,
      step: this.step,
      epoch: this.step / this.batchesPerEpoch,
      loss: { sigmoid: sl[0]!, relu: rl[0]! },
      norms: { sigmoid: sn, relu: rn },
    };
  }

  /** Test accuracy of both networks on the first `count` test images. */
  async accuracy(count: number): Promise<PerRunner<number>> {
    const test = this.data.test;
    count = Math.min(count, test.count);
    const { x, y } = batchTensors(test, range(count));
    const hits = noGrad(() =>
      RUNNERS.map((r) => this.lanes[r].net.module.forward(x).data.argmax(1).eq(y).sum()),
    );
    const [s, r] = await Promise.all(hits.map((h) => h.item()));
    return { sigmoid: s! / count, relu: r! / count };
  }
}

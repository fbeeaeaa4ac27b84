import { cpu } from '@nablajs/backend-cpu';
import {
  type Input,
  Linear,
  Module,
  Parameter,
  Sequential,
  Tanh,
  deserialize,
  serialize,
} from '@nablajs/nn';
import { manualSeed, ones, randn, useBackend } from '@nablajs/tensor';

useBackend(cpu());
manualSeed(0);

// #region custom
// Parameters and submodules are found from the instance's properties, in
// definition order
class Net extends Module {
  hidden = new Linear(4, 8);
  out = new Linear(8, 2);
  temperature = new Parameter(ones([1]));

  forward(x: Input) {
    return this.out
      .forward(this.hidden.forward(x).relu())
      .div(this.temperature);
  }
}

const net = new Net();
console.log(
  net.namedParameters().map(([name, p]) => `${name} ${p.shape.join('×')}`),
);
// ['temperature 1', 'hidden.weight 8×4', 'hidden.bias 8', 'out.weight 2×8',
// 'out.bias 2']
const scores = net.forward(randn([5, 4])); // a Variable [5, 2]
// #endregion custom

// #region sequential
const mlp = new Sequential(new Linear(4, 16), new Tanh(), new Linear(16, 1));
console.log(Object.keys(mlp.stateDict()));
// ['0.weight', '0.bias', '2.weight', '2.bias'], PyTorch's names
console.log(mlp.toString());
// Sequential(
//   (0): Linear(inFeatures=4, outFeatures=16, bias=true)
//   (1): Tanh()
//   (2): Linear(inFeatures=16, outFeatures=1, bias=true)
// )
// evaluation mode for the whole tree (dropout off); mlp.train() switches back
mlp.eval();
// #endregion sequential

// #region safetensors
// Weights travel as safetensors, the format PyTorch reads with
// safetensors.torch.load_file
// a Uint8Array; save(mlp, path) writes a file in Node
const bytes = serialize(mlp, { epoch: '3' });
const { tensors, metadata } = deserialize(bytes);
const copy = new Sequential(new Linear(4, 16), new Tanh(), new Linear(16, 1));
// strict: missing or unexpected names and wrong shapes raise
copy.loadStateDict(tensors);
// #endregion safetensors

const probe = randn([3, 4]);
export const results = {
  names: net.namedParameters().map(([name]) => name),
  scoresShape: scores.shape,
  keys: Object.keys(mlp.stateDict()),
  printed: mlp.toString(),
  training: mlp.training,
  metadata,
  sameOutput: Array.from(
    copy.forward(probe).data.sub(mlp.forward(probe).data).abs().dataSync(),
  ),
};

// #region sample
import { cpu } from '@nablajs/backend-cpu';
import { toDot, toMermaid, variable } from '@nablajs/autograd';
import { tensor, useBackend } from '@nablajs/tensor';

useBackend(cpu());

// The lecture's example 1, set up for training: x⁽¹⁾ and the label c are
// constants, W⁽¹⁾ a parameter.
const x = variable(tensor([[0.5], [-1.5]]), { name: 'x⁽¹⁾' });
const W = variable(
  tensor([
    [0.1, -0.2],
    [0.3, 0.4],
    [-0.5, 0.6],
  ]),
  { requiresGrad: true, name: 'W⁽¹⁾' },
);
const c = variable(tensor([[1], [0], [1]]), { name: 'c' });

const a = W.matmul(x); // forward pass: each op records a function node
a.name = 'a⁽¹⁾';
const y = a.sigmoid();
y.name = 'y⁽¹⁾';
const loss = y.sub(c).square().sum(); // l(y⁽¹⁾, c)
loss.name = 'l';

// backward pass: the function nodes in reverse topological order
loss.backward();
console.log(W.grad!.toString()); // ∂l/∂W⁽¹⁾, a [3, 2] tensor
console.log(toMermaid(loss));
// the graph as a Mermaid flowchart; toDot(loss) for Graphviz
// #endregion sample

export { loss, W };
export const dot = toDot(loss);
export const mermaid = toMermaid(loss);

// #region sample
import { cpu } from '@nablajs/backend-cpu';
import { toDot, variable } from '@nablajs/autograd';
import { manualSeed, randn, tensor, useBackend } from '@nablajs/tensor';

useBackend(cpu());
manualSeed(0);

// Two layers: the same algorithm, a longer graph
const x = variable(randn([4, 1]), { name: 'x⁽¹⁾' });
const W1 = variable(randn([3, 4]), { requiresGrad: true, name: 'W⁽¹⁾' });
const W2 = variable(randn([2, 3]), { requiresGrad: true, name: 'W⁽²⁾' });
const c = variable(tensor([[0], [1]]), { name: 'c' });

const y1 = W1.matmul(x).sigmoid();
y1.name = 'y⁽¹⁾ = x⁽²⁾';
const y2 = W2.matmul(y1).sigmoid();
y2.name = 'y⁽²⁾';
const loss = y2.sub(c).square().sum();
loss.name = 'l';
loss.backward(); // fills W1.grad and W2.grad
console.log(toDot(loss)); // digraph G { rankdir=LR; … }
// #endregion sample

export { loss, W1, W2 };
export const dot = toDot(loss);

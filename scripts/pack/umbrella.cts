// The same declarations seen from CommonJS (the require condition, dist/cjs/*.d.ts).
import { nn, optim, tensor, variable, type Tensor, type WebGpuBackend } from 'nablajs';

const model = new nn.Sequential(new nn.Linear(3, 8), new nn.ReLU(), new nn.Linear(8, 1));
const opt = new optim.Adam(model.parameters(), { lr: 1e-3 });
const x: Tensor = tensor([[1, 2, 3]]);
const loss = nn.mseLoss(model.forward(variable(x)), variable(tensor([[1]])));
opt.zeroGrad();
loss.backward();
opt.step();
export const value: Promise<number> = loss.item();
export type Device = WebGpuBackend['device'];

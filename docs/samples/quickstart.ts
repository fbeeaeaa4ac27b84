// #region sample
import { cpu } from '@nablajs/backend-cpu';
import { tensor, useBackend } from '@nablajs/tensor';

useBackend(cpu()); // once, before the first tensor

const t = tensor([
  [1, 2, 3],
  [4, 5, 6],
]);
console.log(t.toString());
// array([[1., 2., 3.],
//        [4., 5., 6.]])
console.log(await t.sum().item()); // 21
// #endregion sample

export const printed = t.toString();
export const total = await t.sum().item();

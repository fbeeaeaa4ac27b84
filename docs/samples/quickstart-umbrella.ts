// #region sample
import { tensor } from 'nablajs'; // the CPU backend is selected on import

const t = tensor([
  [1, 2, 3],
  [4, 5, 6],
]);
console.log(await t.mean(1).array()); // [2, 5]
// #endregion sample

export const means = await t.mean(1).array();

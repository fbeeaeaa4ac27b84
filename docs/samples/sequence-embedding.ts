// #region sample
import { cpu } from '@nablajs/backend-cpu';
import { Embedding } from '@nablajs/nn';
import { arange, manualSeed, tensor, useBackend } from '@nablajs/tensor';

useBackend(cpu());
manualSeed(0);

// characters as ids: the sorted alphabet of the text, each character its index
const text = 'hello';
const chars = [...new Set(text)].sort(); // ['e', 'h', 'l', 'o']
const ids = tensor(
  Array.from(text, (c) => chars.indexOf(c)),
  { dtype: 'int32', shape: [1, text.length] },
); // [[1, 0, 2, 2, 3]]

// a learned vector for each character, and one for each position
const tokens = new Embedding(chars.length, 8); // weight [4, 8]
const positions = new Embedding(16, 8); // up to 16 positions
const x = tokens.forward(ids).add(positions.forward(arange(text.length)));
console.log(x.shape); // [1, 5, 8]: batch, position, feature
// #endregion sample

const rows = (await x.data.data()) as Float32Array;
const pos = (await positions.weight.data.data()) as Float32Array;
/** The two l's (positions 2 and 3) differ by their position vectors alone. */
export const results = {
  shape: x.shape,
  ids: Array.from(await ids.data()),
  lDifference: Array.from(
    { length: 8 },
    (_, i) => rows[2 * 8 + i]! - rows[3 * 8 + i]!,
  ),
  positionDifference: Array.from(
    { length: 8 },
    (_, i) => pos[2 * 8 + i]! - pos[3 * 8 + i]!,
  ),
};

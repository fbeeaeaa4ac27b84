import type { OtherOp } from '@nablajs/tensor';
import type { Case } from './case.js';
import { CAST_CASES } from './cast.js';
import { CONCAT_CASES } from './concat.js';
import { COPY_CASES } from './copy.js';
import { GATHER_CASES, SCATTER_ADD_CASES } from './indexing.js';
import { MATMUL_CASES } from './matmul.js';
import { RANDOM_CASES } from './random.js';
import { WHERE_CASES } from './where.js';

export { BINARY_CASES } from './binary.js';
export { FUSED_CASES } from './fused.js';
export type { Case } from './case.js';
export { REDUCE_CASES } from './reduce.js';
export { STORAGE_CASES } from './storage.js';
export { UNARY_CASES } from './unary.js';
export { WINDOW_CASES } from './window.js';

/** The cases of the primitives outside the elementwise and reduce lists. */
export const OTHER_CASES: Record<OtherOp, Case[]> = {
  where: WHERE_CASES,
  matmul: MATMUL_CASES,
  gather: GATHER_CASES,
  scatterAdd: SCATTER_ADD_CASES,
  concat: CONCAT_CASES,
  cast: CAST_CASES,
  copy: COPY_CASES,
  random: RANDOM_CASES,
};

// The fuzzer's properties: each draws random shapes, views, dtypes and values for one op, runs it on
// the backend and compares with the float64 reference (its exported functions) or, for the fused
// kernels, with their documented maths written out in float64 (one file per op family).
import { ELEMENTWISE } from './elementwise.js';
import { FUSED } from './fused.js';
import { INDEXING } from './indexing.js';
import type { Property } from './property.js';
import { REDUCTIONS } from './reductions.js';

export type { FuzzContext, Property } from './property.js';

/** Every property, by the group name its tests carry. */
export const PROPERTIES: Record<string, Property> = {
  ...ELEMENTWISE,
  ...REDUCTIONS,
  ...INDEXING,
  ...FUSED,
};

export { type CaseInfo, type DescribeBackendOptions, describeBackend } from './describe.js';
export type { Layout, Tolerance } from './context.js';
export * as reference from './reference.js';
export { describeWithBackend } from './with-backend.js';
export { describeFuzz, type FuzzOptions, fuzzSeed } from './fuzz/describe.js';

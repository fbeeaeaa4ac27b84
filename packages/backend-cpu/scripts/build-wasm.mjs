#!/usr/bin/env node
// Compiles src/wasm/kernels/*.wat (WebAssembly text: one module in five parts, joined in the order of
// `watParts`) to bytes with the npm package `wabt` and writes
// src/wasm/kernels.generated.ts, which carries the bytes as base64, so that Node and browsers get the
// module from the package's own JavaScript with no file access or fetch. It holds two builds of the
// same kernels: one with a memory of its own, and one that imports a shared memory (env.memory), which
// the threads of a multi-threaded matmul instantiate together; and each of those again with the
// matmul tiles' multiply-adds fused (relaxed SIMD's f32x4.relaxed_madd, see `fuseMultiplyAdds`),
// which engines with relaxed SIMD run instead.
//   node scripts/build-wasm.mjs          write the generated file
//   node scripts/build-wasm.mjs --check  exit 1 if the generated file is not up to date
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
/** The parts of the kernels module, in the order they are joined (the first opens the module). */
export const watParts = ['tiles', 'matmul', 'elementwise', 'window', 'pool2x2'].map((n) =>
  here(`../src/wasm/kernels/${n}.wat`),
);
/** The module's text: its parts joined. */
export const readKernels = () => watParts.map((p) => readFileSync(p, 'utf8')).join('');
export const generatedPath = here('../src/wasm/kernels.generated.ts');

const OWN_MEMORY = '(memory (export "memory") 1)';
/** The shared build's memory: imported, and shared, so it needs a maximum (4 GiB, wasm32's limit). */
const SHARED_MEMORY = '(import "env" "memory" (memory 1 65536 shared))';

/**
 * An accumulator's multiply-add in the matmul tiles, c + x·y, as the text writes it: the tiles' 8,
 * $tile2's 4 and $dot's 16 (its main loop and its tail), 28 in all.
 */
const MULTIPLY_ADD =
  /\(f32x4\.add \(local\.get (\$c\d\d)\) \(f32x4\.mul \(local\.get (\$\w+)\) \(local\.get (\$\w+)\)\)\)/g;
const MULTIPLY_ADDS = 28;

/**
 * The kernels' text with the matmul tiles' multiply-adds fused: f32x4.relaxed_madd(x, y, c), which
 * an engine with relaxed SIMD compiles to one fused multiply-add where the CPU has one (x86's FMA3,
 * Arm's FMLA), rounding once instead of twice. Nothing else changes.
 */
export function fuseMultiplyAdds(text) {
  let n = 0;
  const fused = text.replace(MULTIPLY_ADD, (_, c, x, y) => {
    n++;
    return `(f32x4.relaxed_madd (local.get ${x}) (local.get ${y}) (local.get ${c}))`;
  });
  if (n !== MULTIPLY_ADDS)
    throw new Error(`expected ${MULTIPLY_ADDS} multiply-adds to fuse, found ${n}`);
  return fused;
}

/**
 * The bytes of the kernels (or of `text`), compiled with the features the kernels use; `shared`: the
 * build that imports a shared memory instead of having its own; `relaxed`: the build with fused
 * multiply-adds.
 */
export async function compileKernels(text = readKernels(), shared = false, relaxed = false) {
  if (!text.includes(OWN_MEMORY)) throw new Error(`the kernels must declare ${OWN_MEMORY}`);
  const wabt = await wabtInit();
  const own = relaxed ? fuseMultiplyAdds(text) : text;
  const source = shared ? own.replace(OWN_MEMORY, SHARED_MEMORY) : own;
  const module = wabt.parseWat('kernels (parts joined)', source, {
    simd: true,
    bulk_memory: true,
    threads: shared,
    relaxed_simd: relaxed,
  });
  try {
    // (wabt's validate refuses shared memories whatever the features: V8 validates that build, where
    // it runs relaxed SIMD)
    if (!shared) module.validate();
    const bytes = new Uint8Array(module.toBinary({}).buffer);
    if (shared && relaxed && !(await relaxedSimd()))
      console.warn(
        'the shared fused build is not validated: this Node does not run relaxed SIMD ' +
          '(Node 20: run it with --experimental-wasm-relaxed-simd); builds.test.ts validates it',
      );
    else if (shared && !WebAssembly.validate(bytes))
      throw new Error('the shared build does not validate');
    return bytes;
  } finally {
    module.destroy();
  }
}

/** Whether this engine runs relaxed SIMD (Node 20 only with --experimental-wasm-relaxed-simd). */
async function relaxedSimd() {
  const wabt = await wabtInit();
  const zero = '(v128.const i32x4 0 0 0 0)';
  const probe = wabt.parseWat(
    'probe',
    `(module (func (drop (f32x4.relaxed_madd ${zero} ${zero} ${zero}))))`,
    {
      simd: true,
      relaxed_simd: true,
    },
  );
  try {
    return WebAssembly.validate(new Uint8Array(probe.toBinary({}).buffer));
  } finally {
    probe.destroy();
  }
}

/** The text of kernels.generated.ts for the four builds: [own, shared, own relaxed, shared relaxed]. */
export function generatedSource([bytes, sharedBytes, relaxedBytes, relaxedSharedBytes]) {
  const constant = (name, b) => {
    const lines =
      Buffer.from(b)
        .toString('base64')
        .match(/.{1,100}/g) ?? [];
    return `export const ${name} =\n${lines.map((l) => `  '${l}'`).join(' +\n')};`;
  };
  return [
    '// Generated by scripts/build-wasm.mjs from kernels/*.wat. Do not edit; run `node scripts/build-wasm.mjs`.',
    '// prettier-ignore',
    constant('kernelsWasmBase64', bytes),
    '// The same kernels on an imported shared memory (env.memory), for the threads of a matmul.',
    '// prettier-ignore',
    constant('kernelsSharedWasmBase64', sharedBytes),
    "// Both again with the matmul tiles' multiply-adds fused (relaxed SIMD), for engines that run it.",
    '// prettier-ignore',
    constant('kernelsRelaxedWasmBase64', relaxedBytes),
    '// prettier-ignore',
    constant('kernelsRelaxedSharedWasmBase64', relaxedSharedBytes),
    '',
  ].join('\n');
}

/** The generated file's text from the kernels as they are. */
export async function generate() {
  const text = readKernels();
  const builds = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ];
  return generatedSource(await Promise.all(builds.map(([s, r]) => compileKernels(text, s, r))));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = await generate();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(generatedPath, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== text) {
      console.error(`${generatedPath} is stale: run node scripts/build-wasm.mjs`);
      process.exit(1);
    }
  } else {
    writeFileSync(generatedPath, text);
    console.log(`wrote ${generatedPath}`);
  }
}

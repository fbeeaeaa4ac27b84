// This core's clock and WebAssembly SIMD128's multiply-add rate with no memory traffic, measured by
// the two functions of peak.wat (compiled here in base64; wat2wasm --enable-simd rebuilds it): the
// roof a SIMD128 matmul kernel can approach, and the clock that turns GFLOP/s into flops per cycle.
const PEAK_WASM =
  'AGFzbQEAAAABDgJgA39/fwF/YAJ/fQF9AwMCAAEHEgIFY2xvY2sAAAZtdWxhZGQAAQqxAgJGAQF/A0AgAyABaiACcyABaiACcyABaiACcyABaiACcyABaiACcyABaiACcyABaiACcyABaiACcyEDIABBAWsiAA0ACyADC+cBAQ17IAH9EyECIAFDAACAP5L9EyEDIAFDAAAAQJL9EyEEIAFDAABAQJL9EyEFIAFDAACAQJL9EyEGA0AgAiAG/eQBIQIgByADIAL95gH95AEhByAIIAQgAv3mAf3kASEIIAkgBSAC/eYB/eQBIQkgCiAGIAL95gH95AEhCiALIAMgAv3mAf3kASELIAwgBCAC/eYB/eQBIQwgDSAFIAL95gH95AEhDSAOIAYgAv3mAf3kASEOIABBAWsiAA0ACyAHIAj95AEgCSAK/eQB/eQBIAsgDP3kASANIA795AH95AH95AH9HwAL';

interface Probe {
  clock(n: number, y: number, z: number): number;
  muladd(n: number, s: number): number;
}

export interface Peak {
  /** Cycles per nanosecond: 16 dependent one-cycle integer ops per iteration. */
  ghz: number;
  /** f32x4.mul + f32x4.add on 8 accumulators in registers, GFLOP/s on one thread. */
  gflops: number;
  flopsPerCycle: number;
}

/** The median of 5 measurements of each, after a warm-up of 100 ms. */
export function measurePeak(): Peak {
  const bytes = Uint8Array.from(atob(PEAK_WASM), (c) => c.charCodeAt(0));
  const probe = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Probe;
  const n = 20_000_000;
  const seconds = (f: () => void) => {
    const t = performance.now();
    f();
    return (performance.now() - t) / 1000;
  };
  const t0 = performance.now();
  while (performance.now() - t0 < 100) probe.muladd(1_000_000, 1.0000001);
  const ghz: number[] = [];
  const gflops: number[] = [];
  for (let r = 0; r < 5; r++) {
    ghz.push((16 * n) / seconds(() => probe.clock(n, 3, 5)) / 1e9);
    gflops.push((64 * n) / seconds(() => probe.muladd(n, 1.0000001)) / 1e9);
  }
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1]!;
  const [g, f] = [mid(ghz), mid(gflops)];
  return { ghz: g, gflops: f, flopsPerCycle: f / g };
}

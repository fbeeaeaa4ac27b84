(module
  ;; A probe of this core's clock and of WebAssembly SIMD128's multiply-add rate, for matmul.bench.ts
  ;; (peak.ts holds it compiled, in base64: npx wabt's wat2wasm --enable-simd, or the wabt npm package).
  ;; clock: 16 dependent integer ops per iteration, one cycle each: 16·n cycles
  (func (export "clock") (param $n i32) (param $y i32) (param $z i32) (result i32)
    (local $x i32)
    (loop $l
      (local.set $x (i32.xor (i32.add (i32.xor (i32.add (i32.xor (i32.add (i32.xor (i32.add
        (i32.xor (i32.add (i32.xor (i32.add (i32.xor (i32.add (i32.xor (i32.add
          (local.get $x) (local.get $y)) (local.get $z)) (local.get $y)) (local.get $z))
          (local.get $y)) (local.get $z)) (local.get $y)) (local.get $z))
          (local.get $y)) (local.get $z)) (local.get $y)) (local.get $z))
          (local.get $y)) (local.get $z)) (local.get $y)) (local.get $z)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $x))
  ;; 8 accumulators: acc_i += x_(i mod 4) · y with f32x4.mul + f32x4.add, 64 flops per iteration, no
  ;; memory access; y changes every iteration (one more add) so that V8 cannot hoist the products.
  (func (export "muladd") (param $n i32) (param $s f32) (result f32)
    (local $y v128) (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local.set $y (f32x4.splat (local.get $s)))
    (local.set $x0 (f32x4.splat (f32.add (local.get $s) (f32.const 1))))
    (local.set $x1 (f32x4.splat (f32.add (local.get $s) (f32.const 2))))
    (local.set $x2 (f32x4.splat (f32.add (local.get $s) (f32.const 3))))
    (local.set $x3 (f32x4.splat (f32.add (local.get $s) (f32.const 4))))
    (loop $l
      (local.set $y (f32x4.add (local.get $y) (local.get $x3)))
      (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $x0) (local.get $y))))
      (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $x1) (local.get $y))))
      (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $x2) (local.get $y))))
      (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $x3) (local.get $y))))
      (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $x0) (local.get $y))))
      (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $x1) (local.get $y))))
      (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $x2) (local.get $y))))
      (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $x3) (local.get $y))))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (f32x4.extract_lane 0 (f32x4.add (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3)))
      (f32x4.add (f32x4.add (local.get $a4) (local.get $a5)) (f32x4.add (local.get $a6) (local.get $a7))))))
)

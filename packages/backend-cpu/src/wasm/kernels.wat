;; Nabla's float32 matrix multiply in WebAssembly SIMD (f32x4).
;;
;; Compiled at build time by scripts/build-wasm.mjs (npm package `wabt`) into kernels.generated.ts.
;; matmul.ts copies the operands into this module's memory, calls $matmul, copies C out.
;;
;; C[M x N] = A[M x K] · B[K x N]; C contiguous row-major; in the functions below every address
;; and stride is in bytes. Two strategies:
;;
;; 1. Panels (GotoBLAS style, sized for one core), for every layout. K is cut into equal blocks of
;;    at most 512, M into blocks of at most 128 rows. A is used as panels of 4 rows, B as panels of
;;    8 columns; $tile multiplies one A panel by one B panel into a 4 x 8 block of C held in eight
;;    f32x4 registers ($tile2: 2 x 8, for the last rows when M % 4 is 1 or 2).
;;    A panel: the 4 values of column k adjacent, next k at +astep bytes: packed ([k][4], astep 16),
;;      or read in place when A is column-major (row stride 4 bytes) and packing would not pay.
;;    B panel: the 8 values of row k adjacent, next k at +bstep bytes: packed ([k][8], bstep 32),
;;      or read in place when B is row-major (column stride 4 bytes) and packing would not pay.
;; 2. Dot products ($dot, 2 x 4 blocks of C), when A is row-major and B column-major (both
;;    contiguous along K) and M is small: y = x·Wᵀ with W stored [out, in], as PyTorch stores it.
;;    Packing would transpose all of B for only a few rows of A.
;;
;; Partial blocks (M % 4, N % 8, K % 4 in $dot) are computed whole; only their valid part is stored,
;; except that a partial last column panel may be stored whole (see $matmul). So operands read in
;; place are read up to 28 bytes past their last element, and C is read and written up to 28 bytes
;; past its end: matmul.ts leaves slack after each region. Values there never reach a valid element.
;;
;; Why 4 x 8: V8 (TurboFan) hoists every load of a loop iteration to its top, so the loaded B
;; vectors, the broadcast A values and the accumulators are live together: 2 + 4 + 8 = 14 of the 15
;; xmm registers it allocates. Wider tiles (6 x 8, 4 x 12) and unrolled loops spill and run slower
;; (measured on L1-resident panels: 4 x 8 ~32 GFLOP/s, 2 x 16 ~29, 6 x 8 ~24, 4 x 8 unrolled x2 ~23).
;; For the same reason no function is called after a tile's loop (V8 would spill the accumulators
;; inside the loop to keep them across the call). There is no fused multiply-add in WebAssembly
;; SIMD 1.0, and relaxed SIMD is not enabled in Node 20.
(module
  (memory (export "memory") 1)
  ;; Where $tileEdge computes a partial tile: the first 128 bytes of the caller's work area (each
  ;; thread has its own), set by $matmul.
  (global $scratch (mut i32) (i32.const 0))

  ;; C[4 x 8] (+)= A panel · B panel over k steps (k >= 1). $acc: add to what C holds.
  (func $tile
    (param $a i32) (param $astep i32) (param $b i32) (param $bstep i32) (param $k i32)
    (param $c i32) (param $ldc i32) (param $acc i32)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $p i32)
    (if (local.get $acc)
      (then
        (local.set $p (local.get $c))
        (local.set $c00 (v128.load (local.get $p)))
        (local.set $c01 (v128.load offset=16 (local.get $p)))
        (local.set $p (i32.add (local.get $p) (local.get $ldc)))
        (local.set $c10 (v128.load (local.get $p)))
        (local.set $c11 (v128.load offset=16 (local.get $p)))
        (local.set $p (i32.add (local.get $p) (local.get $ldc)))
        (local.set $c20 (v128.load (local.get $p)))
        (local.set $c21 (v128.load offset=16 (local.get $p)))
        (local.set $p (i32.add (local.get $p) (local.get $ldc)))
        (local.set $c30 (v128.load (local.get $p)))
        (local.set $c31 (v128.load offset=16 (local.get $p)))))
    (loop $k
      (local.set $b0 (v128.load (local.get $b)))
      (local.set $b1 (v128.load offset=16 (local.get $b)))
      (local.set $x (v128.load32_splat (local.get $a)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load32_splat offset=4 (local.get $a)))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load32_splat offset=8 (local.get $a)))
      (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load32_splat offset=12 (local.get $a)))
      (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $a (i32.add (local.get $a) (local.get $astep)))
      (local.set $b (i32.add (local.get $b) (local.get $bstep)))
      (br_if $k (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
    (v128.store (local.get $c) (local.get $c00))
    (v128.store offset=16 (local.get $c) (local.get $c01))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (v128.store (local.get $c) (local.get $c10))
    (v128.store offset=16 (local.get $c) (local.get $c11))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (v128.store (local.get $c) (local.get $c20))
    (v128.store offset=16 (local.get $c) (local.get $c21))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (v128.store (local.get $c) (local.get $c30))
    (v128.store offset=16 (local.get $c) (local.get $c31)))

  ;; $tile for the first 2 rows of the A panel: the last panel when M % 4 is 1 or 2.
  (func $tile2
    (param $a i32) (param $astep i32) (param $b i32) (param $bstep i32) (param $k i32)
    (param $c i32) (param $ldc i32) (param $acc i32)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (if (local.get $acc)
      (then
        (local.set $c00 (v128.load (local.get $c)))
        (local.set $c01 (v128.load offset=16 (local.get $c)))
        (local.set $c10 (v128.load (i32.add (local.get $c) (local.get $ldc))))
        (local.set $c11 (v128.load offset=16 (i32.add (local.get $c) (local.get $ldc))))))
    (loop $k
      (local.set $b0 (v128.load (local.get $b)))
      (local.set $b1 (v128.load offset=16 (local.get $b)))
      (local.set $x (v128.load32_splat (local.get $a)))
      (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $x (v128.load32_splat offset=4 (local.get $a)))
      (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
      (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
      (local.set $a (i32.add (local.get $a) (local.get $astep)))
      (local.set $b (i32.add (local.get $b) (local.get $bstep)))
      (br_if $k (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
    (v128.store (local.get $c) (local.get $c00))
    (v128.store offset=16 (local.get $c) (local.get $c01))
    (local.set $c (i32.add (local.get $c) (local.get $ldc)))
    (v128.store (local.get $c) (local.get $c10))
    (v128.store offset=16 (local.get $c) (local.get $c11)))

  ;; A partial tile (rows < 4 or cols < 8) through the scratch tile ($scratch): $tile computes
  ;; all of it there, then only the valid part is stored. (Partial stores inside $tile would put
  ;; calls after its loop, and V8 then spills the accumulators inside the loop.)
  (func $tileEdge
    (param $a i32) (param $astep i32) (param $b i32) (param $bstep i32) (param $k i32)
    (param $c i32) (param $ldc i32) (param $acc i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $p i32) (local $end i32)
    (local.set $r (global.get $scratch))
    (local.set $end (i32.add (local.get $r) (i32.shl (local.get $rows) (i32.const 5))))
    (if (local.get $acc)
      (then
        ;; whole rows of 8: columns past N read the next row or the slack after C, and are not stored
        (local.set $p (local.get $c))
        (loop $load
          (v128.store (local.get $r) (v128.load (local.get $p)))
          (v128.store offset=16 (local.get $r) (v128.load offset=16 (local.get $p)))
          (local.set $p (i32.add (local.get $p) (local.get $ldc)))
          (br_if $load (i32.lt_s (local.tee $r (i32.add (local.get $r) (i32.const 32))) (local.get $end))))))
    (if (i32.le_s (local.get $rows) (i32.const 2))
      (then
        (call $tile2 (local.get $a) (local.get $astep) (local.get $b) (local.get $bstep) (local.get $k)
          (global.get $scratch) (i32.const 32) (local.get $acc)))
      (else
        (call $tile (local.get $a) (local.get $astep) (local.get $b) (local.get $bstep) (local.get $k)
          (global.get $scratch) (i32.const 32) (local.get $acc))))
    (local.set $r (global.get $scratch))
    (loop $store
      (call $storeRow (local.get $c) (v128.load (local.get $r)) (v128.load offset=16 (local.get $r)) (local.get $cols))
      (local.set $c (i32.add (local.get $c) (local.get $ldc)))
      (br_if $store (i32.lt_s (local.tee $r (i32.add (local.get $r) (i32.const 32))) (local.get $end)))))

  ;; Stores the first $cols (1..8) floats of [$v0 $v1] at $c.
  (func $storeRow (param $c i32) (param $v0 v128) (param $v1 v128) (param $cols i32)
    (if (i32.ge_s (local.get $cols) (i32.const 4))
      (then
        (v128.store (local.get $c) (local.get $v0))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (local.set $v0 (local.get $v1))
        (local.set $cols (i32.sub (local.get $cols) (i32.const 4)))))
    (if (i32.ge_s (local.get $cols) (i32.const 4))
      (then
        (v128.store (local.get $c) (local.get $v0))
        (return)))
    (if (i32.and (local.get $cols) (i32.const 2))
      (then
        (v128.store64_lane 0 (local.get $c) (local.get $v0))
        (local.set $c (i32.add (local.get $c) (i32.const 8)))
        (local.set $v0 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v0) (local.get $v0)))))
    (if (i32.and (local.get $cols) (i32.const 1))
      (then (v128.store32_lane 0 (local.get $c) (local.get $v0)))))

  ;; C[rows x cols] = A rows · B columns for A row-major and B column-major (both contiguous along
  ;; K), rows <= 2, cols <= 4, without packing: dot products along K in f32x4 lanes, summed across
  ;; lanes at the end. $a: row i of A, $sam its stride; $b: column j of B, $sbn its stride.
  ;; Rows and columns past the valid ones repeat the last valid one and are not stored. K % 4
  ;; trailing elements are read as a whole vector and masked (reading up to 12 bytes past the end).
  (func $dot
    (param $a0 i32) (param $sam i32) (param $b0 i32) (param $sbn i32) (param $K i32)
    (param $c i32) (param $ldc i32) (param $rows i32) (param $cols i32)
    (local $a1 i32) (local $b1 i32) (local $b2 i32) (local $b3 i32) (local $n i32) (local $mask v128)
    (local $x0 v128) (local $x1 v128) (local $y0 v128) (local $y1 v128) (local $y2 v128) (local $y3 v128)
    (local $c00 v128) (local $c01 v128) (local $c02 v128) (local $c03 v128)
    (local $c10 v128) (local $c11 v128) (local $c12 v128) (local $c13 v128)
    (local.set $a1 (select (i32.add (local.get $a0) (local.get $sam)) (local.get $a0) (i32.gt_s (local.get $rows) (i32.const 1))))
    (local.set $b1 (select (i32.add (local.get $b0) (local.get $sbn)) (local.get $b0) (i32.gt_s (local.get $cols) (i32.const 1))))
    (local.set $b2 (select (i32.add (local.get $b1) (local.get $sbn)) (local.get $b1) (i32.gt_s (local.get $cols) (i32.const 2))))
    (local.set $b3 (select (i32.add (local.get $b2) (local.get $sbn)) (local.get $b2) (i32.gt_s (local.get $cols) (i32.const 3))))
    (local.set $n (i32.shr_u (local.get $K) (i32.const 2)))
    (if (local.get $n)
      (then
        (loop $k
          (local.set $x0 (v128.load (local.get $a0)))
          (local.set $x1 (v128.load (local.get $a1)))
          (local.set $y0 (v128.load (local.get $b0)))
          (local.set $y1 (v128.load (local.get $b1)))
          (local.set $y2 (v128.load (local.get $b2)))
          (local.set $y3 (v128.load (local.get $b3)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x0) (local.get $y0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x0) (local.get $y1))))
          (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $x0) (local.get $y2))))
          (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (local.get $x0) (local.get $y3))))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x1) (local.get $y0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x1) (local.get $y1))))
          (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $x1) (local.get $y2))))
          (local.set $c13 (f32x4.add (local.get $c13) (f32x4.mul (local.get $x1) (local.get $y3))))
          (local.set $a0 (i32.add (local.get $a0) (i32.const 16)))
          (local.set $a1 (i32.add (local.get $a1) (i32.const 16)))
          (local.set $b0 (i32.add (local.get $b0) (i32.const 16)))
          (local.set $b1 (i32.add (local.get $b1) (i32.const 16)))
          (local.set $b2 (i32.add (local.get $b2) (i32.const 16)))
          (local.set $b3 (i32.add (local.get $b3) (i32.const 16)))
          (br_if $k (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))))
    (local.set $n (i32.and (local.get $K) (i32.const 3)))
    (if (local.get $n)
      (then
        ;; lanes < n kept: compare lane indices [0 1 2 3] with n
        (local.set $mask (i32x4.lt_s (v128.const i32x4 0 1 2 3) (i32x4.splat (local.get $n))))
        (local.set $x0 (v128.and (v128.load (local.get $a0)) (local.get $mask)))
        (local.set $x1 (v128.and (v128.load (local.get $a1)) (local.get $mask)))
        (local.set $y0 (v128.and (v128.load (local.get $b0)) (local.get $mask)))
        (local.set $y1 (v128.and (v128.load (local.get $b1)) (local.get $mask)))
        (local.set $y2 (v128.and (v128.load (local.get $b2)) (local.get $mask)))
        (local.set $y3 (v128.and (v128.load (local.get $b3)) (local.get $mask)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x0) (local.get $y0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x0) (local.get $y1))))
        (local.set $c02 (f32x4.add (local.get $c02) (f32x4.mul (local.get $x0) (local.get $y2))))
        (local.set $c03 (f32x4.add (local.get $c03) (f32x4.mul (local.get $x0) (local.get $y3))))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x1) (local.get $y0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x1) (local.get $y1))))
        (local.set $c12 (f32x4.add (local.get $c12) (f32x4.mul (local.get $x1) (local.get $y2))))
        (local.set $c13 (f32x4.add (local.get $c13) (f32x4.mul (local.get $x1) (local.get $y3))))))
    (local.set $x0 (call $sum4 (local.get $c00) (local.get $c01) (local.get $c02) (local.get $c03)))
    (if (i32.eq (local.get $cols) (i32.const 4))
      (then (v128.store (local.get $c) (local.get $x0)))
      (else (call $storeRow (local.get $c) (local.get $x0) (local.get $x0) (local.get $cols))))
    (if (i32.gt_s (local.get $rows) (i32.const 1))
      (then
        (local.set $c (i32.add (local.get $c) (local.get $ldc)))
        (local.set $x1 (call $sum4 (local.get $c10) (local.get $c11) (local.get $c12) (local.get $c13)))
        (if (i32.eq (local.get $cols) (i32.const 4))
          (then (v128.store (local.get $c) (local.get $x1)))
          (else (call $storeRow (local.get $c) (local.get $x1) (local.get $x1) (local.get $cols)))))))

  ;; [Σ lanes of $p, Σ lanes of $q, Σ lanes of $r, Σ lanes of $s]
  (func $sum4 (param $p v128) (param $q v128) (param $r v128) (param $s v128) (result v128)
    (local $pq v128) (local $rs v128)
    ;; pq = [p0+p1, q0+q1, p2+p3, q2+q3], rs likewise
    (local.set $pq (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 8 9 10 11 24 25 26 27 (local.get $p) (local.get $q))
      (i8x16.shuffle 4 5 6 7 20 21 22 23 12 13 14 15 28 29 30 31 (local.get $p) (local.get $q))))
    (local.set $rs (f32x4.add
      (i8x16.shuffle 0 1 2 3 16 17 18 19 8 9 10 11 24 25 26 27 (local.get $r) (local.get $s))
      (i8x16.shuffle 4 5 6 7 20 21 22 23 12 13 14 15 28 29 30 31 (local.get $r) (local.get $s))))
    (f32x4.add
      (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $pq) (local.get $rs))
      (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $pq) (local.get $rs))))

  ;; Packs $rows (<= 4) rows x $kb columns of A (strides $sm, $sk bytes) into one panel [k][4] at
  ;; $dst; rows past $rows are zero.
  (func $packPanelA
    (param $src i32) (param $sm i32) (param $sk i32) (param $rows i32) (param $kb i32) (param $dst i32)
    (local $k i32) (local $r i32) (local $s i32) (local $d i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (if (i32.eq (local.get $rows) (i32.const 4))
      (then
        ;; column-major A: the 4 values of column k are adjacent
        (if (i32.eq (local.get $sm) (i32.const 4))
          (then
            (loop $k
              (v128.store (local.get $dst) (v128.load (local.get $src)))
              (local.set $src (i32.add (local.get $src) (local.get $sk)))
              (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
              (br_if $k (local.tee $kb (i32.sub (local.get $kb) (i32.const 1)))))
            (return)))
        ;; row-major A: transpose 4 x 4 blocks
        (if (i32.eq (local.get $sk) (i32.const 4))
          (then
            (local.set $s (i32.mul (local.get $sm) (i32.const 3)))
            (block $done
              (loop $k4
                (br_if $done (i32.lt_s (local.get $kb) (i32.const 4)))
                ;; rows i..i+3, columns k..k+3 -> [k][4]
                (local.set $r0 (v128.load (local.get $src)))
                (local.set $r1 (v128.load (i32.add (local.get $src) (local.get $sm))))
                (local.set $r2 (v128.load (i32.add (local.get $src) (i32.shl (local.get $sm) (i32.const 1)))))
                (local.set $r3 (v128.load (i32.add (local.get $src) (local.get $s))))
                (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
                (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
                (v128.store offset=0 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
                (v128.store offset=16 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
                (v128.store offset=32 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3)))
                (v128.store offset=48 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3)))
                (local.set $src (i32.add (local.get $src) (i32.const 16)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 64)))
                (local.set $kb (i32.sub (local.get $kb) (i32.const 4)))
                (br $k4)))))))
    ;; general strides, the remaining columns of the paths above, and short panels
    (local.set $k (i32.const 0))
    (block $done
      (loop $k
        (br_if $done (i32.ge_s (local.get $k) (local.get $kb)))
        (v128.store (local.get $dst) (v128.const i32x4 0 0 0 0))
        (local.set $s (local.get $src))
        (local.set $d (local.get $dst))
        (local.set $r (i32.const 0))
        (block $rowsDone
          (loop $r
            (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $rows)))
            (f32.store (local.get $d) (f32.load (local.get $s)))
            (local.set $s (i32.add (local.get $s) (local.get $sm)))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $r)))
        (local.set $src (i32.add (local.get $src) (local.get $sk)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $k))))

  ;; Packs $cols (<= 8) columns x $kb rows of B (strides $sk, $sn bytes) into one panel [k][8] at
  ;; $dst; columns past $cols are zero.
  (func $packPanelB
    (param $src i32) (param $sk i32) (param $sn i32) (param $cols i32) (param $kb i32) (param $dst i32)
    (local $k i32) (local $j i32) (local $s i32) (local $d i32) (local $s4 i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    ;; the 4 x 4 transposes below: t0 = [r0.0 r1.0 r0.1 r1.1], t1 = [r2.0 r3.0 r2.1 r3.1], t2 and t3
    ;; the same with lanes 2 and 3; then rows [t0.lo t1.lo], [t0.hi t1.hi], [t2.lo t3.lo], [t2.hi t3.hi]
    (if (i32.eq (local.get $cols) (i32.const 8))
      (then
        ;; row-major B: copy 8 adjacent floats per row
        (if (i32.eq (local.get $sn) (i32.const 4))
          (then
            (loop $k
              (v128.store (local.get $dst) (v128.load (local.get $src)))
              (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $src)))
              (local.set $src (i32.add (local.get $src) (local.get $sk)))
              (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
              (br_if $k (local.tee $kb (i32.sub (local.get $kb) (i32.const 1)))))
            (return)))
        ;; column-major B: transpose two 4 x 4 blocks per 4 rows
        (if (i32.eq (local.get $sk) (i32.const 4))
          (then
            (local.set $s (i32.mul (local.get $sn) (i32.const 3)))
            (local.set $s4 (i32.shl (local.get $sn) (i32.const 2)))
            (block $done
              (loop $k4
                (br_if $done (i32.lt_s (local.get $kb) (i32.const 4)))
                ;; columns j..j+3 and j+4..j+7, rows k..k+3 -> [k][8]
                (local.set $r0 (v128.load (local.get $src)))
                (local.set $r1 (v128.load (i32.add (local.get $src) (local.get $sn))))
                (local.set $r2 (v128.load (i32.add (local.get $src) (i32.shl (local.get $sn) (i32.const 1)))))
                (local.set $r3 (v128.load (i32.add (local.get $src) (local.get $s))))
                (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
                (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
                (v128.store offset=0 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
                (v128.store offset=32 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
                (v128.store offset=64 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3)))
                (v128.store offset=96 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3)))
                (local.set $d (i32.add (local.get $src) (local.get $s4)))
                (local.set $r0 (v128.load (local.get $d)))
                (local.set $r1 (v128.load (i32.add (local.get $d) (local.get $sn))))
                (local.set $r2 (v128.load (i32.add (local.get $d) (i32.shl (local.get $sn) (i32.const 1)))))
                (local.set $r3 (v128.load (i32.add (local.get $d) (local.get $s))))
                (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
                (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
                (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
                (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
                (v128.store offset=16 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
                (v128.store offset=48 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
                (v128.store offset=80 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3)))
                (v128.store offset=112 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3)))
                (local.set $src (i32.add (local.get $src) (i32.const 16)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
                (local.set $kb (i32.sub (local.get $kb) (i32.const 4)))
                (br $k4)))))))
    (local.set $k (i32.const 0))
    (block $done
      (loop $k
        (br_if $done (i32.ge_s (local.get $k) (local.get $kb)))
        (v128.store (local.get $dst) (v128.const i32x4 0 0 0 0))
        (v128.store offset=16 (local.get $dst) (v128.const i32x4 0 0 0 0))
        (local.set $s (local.get $src))
        (local.set $d (local.get $dst))
        (local.set $j (i32.const 0))
        (block $colsDone
          (loop $j
            (br_if $colsDone (i32.ge_s (local.get $j) (local.get $cols)))
            (f32.store (local.get $d) (f32.load (local.get $s)))
            (local.set $s (i32.add (local.get $s) (local.get $sn)))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $j)))
        (local.set $src (i32.add (local.get $src) (local.get $sk)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $k))))

  ;; C = A · B. Sizes in elements; $a/$b/$c/$work are byte addresses; strides in elements (>= 0).
  ;; $work must hold 32 + (ceil(N/8)·8 + min(M, MC rounded up to 4)) · min(K, KC) floats: the
  ;; scratch tile, then the packed panels. Threads sharing the memory each pass their own $work.
  (func (export "matmul")
    (param $M i32) (param $N i32) (param $K i32)
    (param $a i32) (param $sam i32) (param $sak i32)
    (param $b i32) (param $sbk i32) (param $sbn i32)
    (param $c i32) (param $work i32)
    (local $ldc i32) (local $nkb i32) (local $kc i32) (local $pk i32) (local $kb i32) (local $acc i32)
    (local $directA i32) (local $directB i32) (local $workA i32)
    (local $bBase i32) (local $bStep i32) (local $bPanel i32)
    (local $aBase i32) (local $aStep i32) (local $aPanel i32)
    (local $ic i32) (local $mb i32) (local $jr i32) (local $cols i32) (local $ir i32) (local $rows i32)
    (local $ap i32) (local $bp i32) (local $cp i32) (local $t i32)
    (global.set $scratch (local.get $work))
    (local.set $work (i32.add (local.get $work) (i32.const 128)))
    (local.set $sam (i32.shl (local.get $sam) (i32.const 2)))
    (local.set $sak (i32.shl (local.get $sak) (i32.const 2)))
    (local.set $sbk (i32.shl (local.get $sbk) (i32.const 2)))
    (local.set $sbn (i32.shl (local.get $sbn) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $N) (i32.const 2)))
    (if (i32.or (i32.eqz (local.get $M)) (i32.eqz (local.get $N))) (then (return)))
    (if (i32.eqz (local.get $K))
      (then
        (memory.fill (local.get $c) (i32.const 0) (i32.mul (local.get $M) (local.get $ldc)))
        (return)))
    ;; Both operands contiguous along K, few rows of A and long rows: dot products, no packing.
    ;; (Measured: $dot runs at ~25 GFLOP/s for K >= 128, $tile at ~31 less the cost of transposing
    ;; B into panels, which is paid once per call whatever M is; $dot wins up to about M = 12.)
    (if (i32.and (i32.and (i32.eq (local.get $sak) (i32.const 4)) (i32.eq (local.get $sbk) (i32.const 4)))
          (i32.and (i32.le_u (local.get $M) (i32.const 12))
            (i32.and (i32.ge_u (local.get $K) (i32.const 128)) (i32.le_u (local.get $K) (i32.const 4096)))))
      (then
        ;; a quad of B columns stays in L1 while every row pair of A passes over it
        (local.set $jr (i32.const 0))
        (loop $colQuads
          (local.set $cols (i32.sub (local.get $N) (local.get $jr)))
          (if (i32.gt_s (local.get $cols) (i32.const 4)) (then (local.set $cols (i32.const 4))))
          (local.set $ic (i32.const 0))
          (local.set $cp (i32.add (local.get $c) (i32.shl (local.get $jr) (i32.const 2))))
          (local.set $t (local.get $a))
          (loop $rowPairs
            (local.set $rows (i32.sub (local.get $M) (local.get $ic)))
            (if (i32.gt_s (local.get $rows) (i32.const 2)) (then (local.set $rows (i32.const 2))))
            (call $dot (local.get $t) (local.get $sam)
              (i32.add (local.get $b) (i32.mul (local.get $jr) (local.get $sbn))) (local.get $sbn)
              (local.get $K) (local.get $cp) (local.get $ldc) (local.get $rows) (local.get $cols))
            (local.set $cp (i32.add (local.get $cp) (i32.shl (local.get $ldc) (i32.const 1))))
            (local.set $t (i32.add (local.get $t) (i32.shl (local.get $sam) (i32.const 1))))
            (br_if $rowPairs (i32.lt_s (local.tee $ic (i32.add (local.get $ic) (i32.const 2))) (local.get $M))))
          (br_if $colQuads (i32.lt_s (local.tee $jr (i32.add (local.get $jr) (i32.const 4))) (local.get $N))))
        (return)))
    ;; K blocks of equal size, at most KC = 512
    (local.set $nkb (i32.shr_u (i32.add (local.get $K) (i32.const 511)) (i32.const 9)))
    (local.set $kc (i32.div_u (i32.add (local.get $K) (i32.sub (local.get $nkb) (i32.const 1))) (local.get $nkb)))
    ;; Read an operand in place when its layout allows and packing would not pay for itself:
    ;; packing B costs K·N moves, reused by M rows; packing A costs M·K, reused by N columns; short
    ;; panels (small K) stay in L1 anyway. (Thresholds measured on the MNIST shapes.)
    (local.set $directB
      (i32.and (i32.eq (local.get $sbn) (i32.const 4))
        (i32.or (i32.le_u (local.get $M) (i32.const 32)) (i32.le_u (local.get $K) (i32.const 16)))))
    (local.set $directA
      (i32.and (i32.eq (local.get $sam) (i32.const 4))
        (i32.or (i32.le_u (local.get $N) (i32.const 16)) (i32.le_u (local.get $K) (i32.const 16)))))
    (local.set $workA
      (i32.add (local.get $work)
        (i32.mul (i32.and (i32.add (local.get $N) (i32.const 7)) (i32.const -8)) (i32.shl (local.get $kc) (i32.const 2)))))
    (local.set $pk (i32.const 0))
    (loop $kBlocks
      (local.set $kb (i32.sub (local.get $K) (local.get $pk)))
      (if (i32.gt_s (local.get $kb) (local.get $kc)) (then (local.set $kb (local.get $kc))))
      (local.set $acc (i32.ne (local.get $pk) (i32.const 0)))
      ;; B block: rows pk..pk+kb
      (if (local.get $directB)
        (then
          (local.set $bBase (i32.add (local.get $b) (i32.mul (local.get $pk) (local.get $sbk))))
          (local.set $bStep (local.get $sbk))
          (local.set $bPanel (i32.const 32)))
        (else
          (local.set $jr (i32.const 0))
          (local.set $bp (local.get $work))
          (local.set $t (i32.add (local.get $b) (i32.mul (local.get $pk) (local.get $sbk))))
          (loop $packB
            (local.set $cols (i32.sub (local.get $N) (local.get $jr)))
            (if (i32.gt_s (local.get $cols) (i32.const 8)) (then (local.set $cols (i32.const 8))))
            (call $packPanelB
              (i32.add (local.get $t) (i32.mul (local.get $jr) (local.get $sbn)))
              (local.get $sbk) (local.get $sbn) (local.get $cols) (local.get $kb) (local.get $bp))
            (local.set $bp (i32.add (local.get $bp) (i32.shl (local.get $kb) (i32.const 5))))
            (br_if $packB (i32.lt_s (local.tee $jr (i32.add (local.get $jr) (i32.const 8))) (local.get $N))))
          (local.set $bBase (local.get $work))
          (local.set $bStep (i32.const 32))
          (local.set $bPanel (i32.shl (local.get $kb) (i32.const 5)))))
      (local.set $ic (i32.const 0))
      (loop $mBlocks
        (local.set $mb (i32.sub (local.get $M) (local.get $ic)))
        (if (i32.gt_s (local.get $mb) (i32.const 128)) (then (local.set $mb (i32.const 128))))
        ;; A block: rows ic..ic+mb, columns pk..pk+kb
        (local.set $t
          (i32.add (local.get $a)
            (i32.add (i32.mul (local.get $ic) (local.get $sam)) (i32.mul (local.get $pk) (local.get $sak)))))
        (if (local.get $directA)
          (then
            (local.set $aBase (local.get $t))
            (local.set $aStep (local.get $sak))
            (local.set $aPanel (i32.const 16)))
          (else
            (local.set $ir (i32.const 0))
            (local.set $ap (local.get $workA))
            (loop $packA
              (local.set $rows (i32.sub (local.get $mb) (local.get $ir)))
              (if (i32.gt_s (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
              (call $packPanelA
                (i32.add (local.get $t) (i32.mul (local.get $ir) (local.get $sam)))
                (local.get $sam) (local.get $sak) (local.get $rows) (local.get $kb) (local.get $ap))
              (local.set $ap (i32.add (local.get $ap) (i32.shl (local.get $kb) (i32.const 4))))
              (br_if $packA (i32.lt_s (local.tee $ir (i32.add (local.get $ir) (i32.const 4))) (local.get $mb))))
            (local.set $aBase (local.get $workA))
            (local.set $aStep (i32.const 16))
            (local.set $aPanel (i32.shl (local.get $kb) (i32.const 4)))))
        ;; every B panel against every A panel of the block; the B panel stays in L1. Panels go
        ;; right to left: a partial last panel is then stored whole, its columns past N landing
        ;; on the first columns of the next row (or the slack after C), which the first panel
        ;; overwrites later. Only when not accumulating: the spill must not be added to.
        (local.set $jr (i32.and (i32.sub (local.get $N) (i32.const 1)) (i32.const -8)))
        (loop $nPanels
          (local.set $bp (i32.add (local.get $bBase) (i32.mul (i32.shr_u (local.get $jr) (i32.const 3)) (local.get $bPanel))))
          (local.set $cols (i32.sub (local.get $N) (local.get $jr)))
          (if (i32.gt_s (local.get $cols) (i32.const 8)) (then (local.set $cols (i32.const 8))))
          (if (i32.eqz (local.get $acc)) (then (local.set $cols (i32.const 8))))
          (local.set $ir (i32.const 0))
          (local.set $ap (local.get $aBase))
          (local.set $cp
            (i32.add (local.get $c)
              (i32.add (i32.mul (local.get $ic) (local.get $ldc)) (i32.shl (local.get $jr) (i32.const 2)))))
          (loop $mPanels
            (local.set $rows (i32.sub (local.get $mb) (local.get $ir)))
            (if (i32.and (i32.ge_s (local.get $rows) (i32.const 4)) (i32.eq (local.get $cols) (i32.const 8)))
              (then
                (call $tile (local.get $ap) (local.get $aStep) (local.get $bp) (local.get $bStep) (local.get $kb)
                  (local.get $cp) (local.get $ldc) (local.get $acc)))
              (else (if (i32.and (i32.eq (local.get $rows) (i32.const 2)) (i32.eq (local.get $cols) (i32.const 8)))
              (then
                (call $tile2 (local.get $ap) (local.get $aStep) (local.get $bp) (local.get $bStep) (local.get $kb)
                  (local.get $cp) (local.get $ldc) (local.get $acc)))
              (else
                (if (i32.gt_s (local.get $rows) (i32.const 4)) (then (local.set $rows (i32.const 4))))
                (call $tileEdge (local.get $ap) (local.get $aStep) (local.get $bp) (local.get $bStep) (local.get $kb)
                  (local.get $cp) (local.get $ldc) (local.get $acc) (local.get $rows) (local.get $cols))))))
            (local.set $ap (i32.add (local.get $ap) (local.get $aPanel)))
            (local.set $cp (i32.add (local.get $cp) (i32.shl (local.get $ldc) (i32.const 2))))
            (br_if $mPanels (i32.lt_s (local.tee $ir (i32.add (local.get $ir) (i32.const 4))) (local.get $mb))))
          (br_if $nPanels (i32.ge_s (local.tee $jr (i32.sub (local.get $jr) (i32.const 8))) (i32.const 0))))
        (br_if $mBlocks (i32.lt_s (local.tee $ic (i32.add (local.get $ic) (local.get $mb))) (local.get $M))))
      (br_if $kBlocks (i32.lt_s (local.tee $pk (i32.add (local.get $pk) (local.get $kb))) (local.get $K)))))

  ;; SGD without momentum, in place: p[i] -= lr·(sign·g[i] + wd·p[i]) for i < n (p, g byte offsets).
  (func (export "sgd") (param $p i32) (param $g i32) (param $n i32) (param $lr f32) (param $wd f32) (param $sign f32)
    (local $i i32) (local $end i32) (local $x v128) (local $vlr v128) (local $vwd v128) (local $vsign v128)
    (local.set $vlr (f32x4.splat (local.get $lr)))
    (local.set $vwd (f32x4.splat (local.get $wd)))
    (local.set $vsign (f32x4.splat (local.get $sign)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (loop $v
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.load (i32.add (local.get $p) (local.get $i))))
        (v128.store (i32.add (local.get $p) (local.get $i))
          (f32x4.sub (local.get $x)
            (f32x4.mul (local.get $vlr)
              (f32x4.add
                (f32x4.mul (local.get $vsign) (v128.load (i32.add (local.get $g) (local.get $i))))
                (f32x4.mul (local.get $vwd) (local.get $x))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $v)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $sdone
      (loop $s
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $end)))
        (f32.store (i32.add (local.get $p) (local.get $i))
          (f32.sub (f32.load (i32.add (local.get $p) (local.get $i)))
            (f32.mul (local.get $lr)
              (f32.add
                (f32.mul (local.get $sign) (f32.load (i32.add (local.get $g) (local.get $i))))
                (f32.mul (local.get $wd) (f32.load (i32.add (local.get $p) (local.get $i))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $s)))
  )

  ;; Adam / AdamW without amsgrad, in place over n floats at byte offsets p, g, m, v (PyTorch 1.13):
  ;; g' = sign·g + l2·p; m = m + (1 − β1)(g' − m); v = β2·v + (1 − β2)·g'²;
  ;; p = p·shrink − stepSize · m / (sqrt(v) / bias2Sqrt + eps). c1 = 1 − β1 and c2 = 1 − β2 come from
  ;; the caller in float64: 1 − β2 in float32 would cancel (1 − f32(0.999) is 1.3e-5 off).
  (func (export "adam") (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $n i32)
    (param $sign f32) (param $l2 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32) (param $shrink f32)
    (param $stepSize f32) (param $bias2Sqrt f32) (param $eps f32)
    (local $i i32) (local $end i32) (local $x v128) (local $gi v128) (local $mi v128) (local $vi v128)
    (local $fi f32) (local $fg f32) (local $fm f32) (local $fv f32)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (loop $vl
        (br_if $vdone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $x (v128.load (i32.add (local.get $p) (local.get $i))))
        (local.set $gi
          (f32x4.add
            (f32x4.mul (f32x4.splat (local.get $sign)) (v128.load (i32.add (local.get $g) (local.get $i))))
            (f32x4.mul (f32x4.splat (local.get $l2)) (local.get $x))))
        (local.set $mi (v128.load (i32.add (local.get $m) (local.get $i))))
        (local.set $mi
          (f32x4.add (local.get $mi)
            (f32x4.mul (f32x4.splat (local.get $c1)) (f32x4.sub (local.get $gi) (local.get $mi)))))
        (local.set $vi
          (f32x4.add
            (f32x4.mul (f32x4.splat (local.get $b2)) (v128.load (i32.add (local.get $v) (local.get $i))))
            (f32x4.mul (f32x4.splat (local.get $c2)) (f32x4.mul (local.get $gi) (local.get $gi)))))
        (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $mi))
        (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $vi))
        (v128.store (i32.add (local.get $p) (local.get $i))
          (f32x4.sub
            (f32x4.mul (local.get $x) (f32x4.splat (local.get $shrink)))
            (f32x4.mul (f32x4.splat (local.get $stepSize))
              (f32x4.div (local.get $mi)
                (f32x4.add (f32x4.div (f32x4.sqrt (local.get $vi)) (f32x4.splat (local.get $bias2Sqrt)))
                  (f32x4.splat (local.get $eps)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vl)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $sdone
      (loop $sl
        (br_if $sdone (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $fi (f32.load (i32.add (local.get $p) (local.get $i))))
        (local.set $fg
          (f32.add (f32.mul (local.get $sign) (f32.load (i32.add (local.get $g) (local.get $i))))
            (f32.mul (local.get $l2) (local.get $fi))))
        (local.set $fm (f32.load (i32.add (local.get $m) (local.get $i))))
        (local.set $fm
          (f32.add (local.get $fm) (f32.mul (local.get $c1) (f32.sub (local.get $fg) (local.get $fm)))))
        (local.set $fv
          (f32.add (f32.mul (local.get $b2) (f32.load (i32.add (local.get $v) (local.get $i))))
            (f32.mul (local.get $c2) (f32.mul (local.get $fg) (local.get $fg)))))
        (f32.store (i32.add (local.get $m) (local.get $i)) (local.get $fm))
        (f32.store (i32.add (local.get $v) (local.get $i)) (local.get $fv))
        (f32.store (i32.add (local.get $p) (local.get $i))
          (f32.sub (f32.mul (local.get $fi) (local.get $shrink))
            (f32.mul (local.get $stepSize)
              (f32.div (local.get $fm)
                (f32.add (f32.div (f32.sqrt (local.get $fv)) (local.get $bias2Sqrt)) (local.get $eps))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $sl)))
  )

  ;; ---- ReLU (activation.ts): in place over n floats at byte offset $x, whole f32x4 vectors (the
  ;; last reads and writes up to 12 bytes past the n-th float: the caller leaves slack there).
  ;; Branch-free, as relu.ts: an element is kept where it is above 0 or NaN, else made +0.

  ;; x = relu(x): x where x > 0 or x ≠ x, else +0.
  (func (export "relu") (param $x i32) (param $n i32)
    (local $end i32) (local $v v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (v128.store (local.get $x) (v128.and (local.get $v)
        (v128.or (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)) (f32x4.ne (local.get $v) (local.get $v)))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (br $l)))
  )

;; Sigmoid in place over n floats at byte offset $x, whole f32x4 vectors (the caller leaves slack),
  ;; branch-free: y = 1/(1 + e) where x ≥ 0 and e/(1 + e) below, with e = exp(−|x|) ≤ 1, which never
  ;; overflows. exp as Cephes' expf: k = round(t·log2 e), r = t − k·ln 2 in two parts, a degree-6
  ;; polynomial in r, times 2^k made from k's bits (t ≥ −87.5 keeps 2^k normal). A result below the
  ;; least normal float32 is 0 (sigmoid's float32 contract, tables.ts); NaN stays NaN.
  (func (export "sigmoid") (param $x i32) (param $n i32)
    (local $end i32) (local $v v128) (local $t v128) (local $k v128) (local $r v128) (local $p v128)
    (local $e v128) (local $y v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (local.set $t (f32x4.max (f32x4.neg (f32x4.abs (local.get $v))) (v128.const f32x4 -87.5 -87.5 -87.5 -87.5)))
      (local.set $k (f32x4.nearest (f32x4.mul (local.get $t) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
      (local.set $r (f32x4.sub
        (f32x4.sub (local.get $t) (f32x4.mul (local.get $k) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
        (f32x4.mul (local.get $k) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
      (local.set $p (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
      (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
      ;; e = (p·r² + r + 1)·2^k
      (local.set $e (f32x4.add (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
        (v128.const f32x4 1 1 1 1)))
      (local.set $e (f32x4.mul (local.get $e)
        (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))
      ;; (x ≥ 0 ? 1 : e) / (1 + e), then 0 below the least normal float32, then NaN where x is
      (local.set $y (f32x4.div
        (v128.bitselect (v128.const f32x4 1 1 1 1) (local.get $e) (f32x4.ge (local.get $v) (v128.const f32x4 0 0 0 0)))
        (f32x4.add (local.get $e) (v128.const f32x4 1 1 1 1))))
      (local.set $y (v128.and (local.get $y)
        (f32x4.ge (local.get $y) (v128.const f32x4 1.1754943508222875e-38 1.1754943508222875e-38 1.1754943508222875e-38 1.1754943508222875e-38))))
      (v128.store (local.get $x)
        (v128.bitselect (local.get $v) (local.get $y) (f32x4.ne (local.get $v) (local.get $v))))
      (local.set $x (i32.add (local.get $x) (i32.const 16)))
      (br $l)))
  )

    ;; g = ReLU's gradient from its output y: g where y > 0 or y is NaN (not y ≤ 0), else +0.
  (func (export "reluGrad") (param $y i32) (param $g i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $g) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $g) (local.get $end)))
      (v128.store (local.get $g) (v128.andnot (v128.load (local.get $g))
        (f32x4.le (v128.load (local.get $y)) (v128.const f32x4 0 0 0 0))))
      (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (local.set $y (i32.add (local.get $y) (i32.const 16)))
      (br $l)))
  )

;; The columns of x [R, C] (floats at $x) added into doubles at $out [C]: out[j] = ((out[j] +
  ;; x[0][j]) + x[1][j]) + …; from zeros, chunk of rows after chunk, the additions of cpu.ts's fold in
  ;; its order, so the same to the bit (a bias's gradient: the sum of ∂y over the batch). Eight columns at a time in four f64x2 accumulators that
  ;; stay in registers while the rows pass, the rest one by one.
  (func (export "sumRows") (param $x i32) (param $R i32) (param $C i32) (param $out i32)
    (local $j i32) (local $i i32) (local $p i32) (local $row i32) (local $v v128) (local $w v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) (local $f f64)
    (local.set $row (i32.shl (local.get $C) (i32.const 2)))
    (block $vDone (loop $vLoop
      (br_if $vDone (i32.gt_s (i32.add (local.get $j) (i32.const 8)) (local.get $C)))
      (local.set $p (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))))
      (local.set $a0 (v128.load (local.get $p)))
      (local.set $a1 (v128.load offset=16 (local.get $p)))
      (local.set $a2 (v128.load offset=32 (local.get $p)))
      (local.set $a3 (v128.load offset=48 (local.get $p)))
      (local.set $p (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 2))))
      (local.set $i (i32.const 0))
      (block $rDone (loop $rLoop
        (br_if $rDone (i32.ge_u (local.get $i) (local.get $R)))
        (local.set $v (v128.load (local.get $p)))
        (local.set $w (v128.load offset=16 (local.get $p)))
        (local.set $a0 (f64x2.add (local.get $a0) (f64x2.promote_low_f32x4 (local.get $v))))
        (local.set $a1 (f64x2.add (local.get $a1) (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
        (local.set $a2 (f64x2.add (local.get $a2) (f64x2.promote_low_f32x4 (local.get $w))))
        (local.set $a3 (f64x2.add (local.get $a3) (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $w) (local.get $w)))))
        (local.set $p (i32.add (local.get $p) (local.get $row)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rLoop)))
      (local.set $p (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))))
      (v128.store (local.get $p) (local.get $a0))
      (v128.store offset=16 (local.get $p) (local.get $a1))
      (v128.store offset=32 (local.get $p) (local.get $a2))
      (v128.store offset=48 (local.get $p) (local.get $a3))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $vLoop)))
    (block $sDone (loop $sLoop
      (br_if $sDone (i32.ge_s (local.get $j) (local.get $C)))
      (local.set $f (f64.load (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3)))))
      (local.set $p (i32.add (local.get $x) (i32.shl (local.get $j) (i32.const 2))))
      (local.set $i (i32.const 0))
      (block $rDone (loop $rLoop
        (br_if $rDone (i32.ge_u (local.get $i) (local.get $R)))
        (local.set $f (f64.add (local.get $f) (f64.promote_f32 (f32.load (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (local.get $row)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rLoop)))
      (f64.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 3))) (local.get $f))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $sLoop)))
  )

;; Rows of W floats between $planes dense planes [D, H, W] at $plain and the same planes inside a
  ;; border of zeros (pd, ph, pw on each side) at $padded: $in 1 copies into the padded planes (zeroed
  ;; first), 0 copies back out of them. conv.ts lays a padded convolution's input out this way, so
  ;; that im2col and col2im see no padding.
  (func (export "padRows") (param $plain i32) (param $padded i32) (param $planes i32) (param $D i32)
    (param $H i32) (param $W i32) (param $pd i32) (param $ph i32) (param $pw i32) (param $in i32)
    (local $q i32) (local $d i32) (local $r i32) (local $Wp i32) (local $Hp i32) (local $planeP i32)
    (local $at i32) (local $rowBytes i32)
    (local.set $Wp (i32.add (local.get $W) (i32.shl (local.get $pw) (i32.const 1))))
    (local.set $Hp (i32.add (local.get $H) (i32.shl (local.get $ph) (i32.const 1))))
    (local.set $planeP (i32.mul (i32.mul (i32.add (local.get $D) (i32.shl (local.get $pd) (i32.const 1))) (local.get $Hp)) (local.get $Wp)))
    (local.set $rowBytes (i32.shl (local.get $W) (i32.const 2)))
    (if (local.get $in)
      (then (memory.fill (local.get $padded) (i32.const 0)
        (i32.shl (i32.mul (local.get $planes) (local.get $planeP)) (i32.const 2)))))
    (block $qDone (loop $qLoop
      (br_if $qDone (i32.ge_u (local.get $q) (local.get $planes)))
      (local.set $d (i32.const 0))
      (block $dDone (loop $dLoop
        (br_if $dDone (i32.ge_u (local.get $d) (local.get $D)))
        (local.set $r (i32.const 0))
        (block $rDone (loop $rLoop
          (br_if $rDone (i32.ge_u (local.get $r) (local.get $H)))
          ;; the row's first element among the padded planes, in bytes
          (local.set $at (i32.add (local.get $padded) (i32.shl (i32.add (i32.mul (local.get $q) (local.get $planeP))
            (i32.add (i32.mul (i32.add (i32.mul (i32.add (local.get $d) (local.get $pd)) (local.get $Hp))
              (i32.add (local.get $r) (local.get $ph))) (local.get $Wp)) (local.get $pw))) (i32.const 2))))
          (if (local.get $in)
            (then (memory.copy (local.get $at) (local.get $plain) (local.get $rowBytes)))
            (else (memory.copy (local.get $plain) (local.get $at) (local.get $rowBytes))))
          (local.set $plain (i32.add (local.get $plain) (local.get $rowBytes)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $rLoop)))
        (local.set $d (i32.add (local.get $d) (i32.const 1)))
        (br $dLoop)))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $qLoop)))
  )

  ;; p += g over n floats at byte offsets $p, $g, whole f32x4 vectors (the last reads and writes up to
  ;; 12 bytes past the n-th float: the caller leaves slack): conv.ts sums the images' ∂w with it.
  (func (export "addTo") (param $p i32) (param $g i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (v128.load (local.get $g))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (local.set $g (i32.add (local.get $g) (i32.const 16)))
      (br $l)))
  )

  ;; ---- sliding windows (window.ts): copies along rows of a plan ------------------------------
  ;; A plan at $plan (i32s, offsets in bytes): row[K·M] (the offset in a plane of the input row that
  ;; kernel offset k reads for output row m, or −1 in the padding), then lo[K], hi[K] (the windows
  ;; along a row that read inside the input) and col[K] (the offset of window lo's element in that
  ;; row); $step is the byte step between windows' elements. f32x4 copies where $step is 4 bytes.

  ;; F.unfold of $nc dense planes of $plane bytes at $x into $out, [nc][K][M·Wo] floats, zeros in the
  ;; padding: out[p][k][m·Wo + j] = x[p] at row[k·M + m] + col[k] + (j − lo[k])·step. Every float of
  ;; $out is written once (the padding explicitly), so the output needs no clearing pass.
  (func (export "im2col") (param $x i32) (param $plane i32) (param $nc i32) (param $out i32)
    (param $plan i32) (param $K i32) (param $M i32) (param $Wo i32) (param $step i32)
    (local $p i32) (local $k i32) (local $m i32) (local $xp i32) (local $o i32) (local $r i32)
    (local $lo i32) (local $hi i32) (local $col i32) (local $s i32) (local $d i32) (local $e i32)
    (local $ev i32) (local $rowBytes i32) (local $kRow i32) (local $line i32) (local $lineEnd i32)
    (local.set $rowBytes (i32.shl (i32.mul (local.get $M) (local.get $Wo)) (i32.const 2)))
    (local.set $o (local.get $out))
    (local.set $xp (local.get $x))
    (block $pDone (loop $pLoop
      (br_if $pDone (i32.ge_u (local.get $p) (local.get $nc)))
      (local.set $k (i32.const 0))
      (block $kDone (loop $kLoop
        (br_if $kDone (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $lo (i32.load (i32.add (local.get $plan)
          (i32.shl (i32.add (i32.mul (local.get $K) (local.get $M)) (local.get $k)) (i32.const 2)))))
        (local.set $hi (i32.load (i32.add (local.get $plan)
          (i32.shl (i32.add (i32.mul (local.get $K) (i32.add (local.get $M) (i32.const 1))) (local.get $k)) (i32.const 2)))))
        (local.set $col (i32.load (i32.add (local.get $plan)
          (i32.shl (i32.add (i32.mul (local.get $K) (i32.add (local.get $M) (i32.const 2))) (local.get $k)) (i32.const 2)))))
        (local.set $kRow (i32.add (local.get $plan) (i32.shl (i32.mul (local.get $k) (local.get $M)) (i32.const 2))))
        (local.set $m (i32.const 0))
        ;; rows wholly inside the input (no padding along them) with adjacent elements: a plain copy
        ;; of $Wo floats per row, f32x4 then the rest, a line of zeros where the row is padding
        (if (i32.and (i32.eq (local.get $step) (i32.const 4))
              (i32.and (i32.eqz (local.get $lo)) (i32.eq (local.get $hi) (local.get $Wo))))
          (then
            (local.set $line (local.get $o))
            (local.set $ev (i32.shl (i32.and (local.get $Wo) (i32.const -4)) (i32.const 2)))
            (block $fDone (loop $fLoop
              (br_if $fDone (i32.ge_u (local.get $m) (local.get $M)))
              (local.set $lineEnd (i32.add (local.get $line) (i32.shl (local.get $Wo) (i32.const 2))))
              (local.set $r (i32.load (i32.add (local.get $kRow) (i32.shl (local.get $m) (i32.const 2)))))
              (if (i32.lt_s (local.get $r) (i32.const 0))
                (then (memory.fill (local.get $line) (i32.const 0) (i32.shl (local.get $Wo) (i32.const 2))))
                (else
                  (local.set $s (i32.add (local.get $xp) (i32.add (local.get $col) (local.get $r))))
                  (local.set $d (local.get $line))
                  (local.set $e (i32.add (local.get $line) (local.get $ev)))
                  (block $gDone (loop $g
                    (br_if $gDone (i32.ge_u (local.get $d) (local.get $e)))
                    (v128.store (local.get $d) (v128.load (local.get $s)))
                    (local.set $d (i32.add (local.get $d) (i32.const 16)))
                    (local.set $s (i32.add (local.get $s) (i32.const 16)))
                    (br $g)))
                  (block $hDone (loop $hl
                    (br_if $hDone (i32.ge_u (local.get $d) (local.get $lineEnd)))
                    (f32.store (local.get $d) (f32.load (local.get $s)))
                    (local.set $d (i32.add (local.get $d) (i32.const 4)))
                    (local.set $s (i32.add (local.get $s) (i32.const 4)))
                    (br $hl)))))
              (local.set $line (local.get $lineEnd))
              (local.set $m (i32.add (local.get $m) (i32.const 1)))
              (br $fLoop)))))
        (block $mDone (loop $mLoop
          (br_if $mDone (i32.ge_u (local.get $m) (local.get $M)))
          (local.set $line (i32.add (local.get $o) (i32.shl (i32.mul (local.get $m) (local.get $Wo)) (i32.const 2))))
          (local.set $lineEnd (i32.add (local.get $line) (i32.shl (local.get $Wo) (i32.const 2))))
          (local.set $r (i32.load (i32.add (local.get $kRow) (i32.shl (local.get $m) (i32.const 2)))))
          (if (i32.or (i32.lt_s (local.get $r) (i32.const 0)) (i32.ge_s (local.get $lo) (local.get $hi)))
            (then (memory.fill (local.get $line) (i32.const 0) (i32.shl (local.get $Wo) (i32.const 2))))
            (else
              ;; zeros before lo, the copy, zeros from hi
              (local.set $d (local.get $line))
              (local.set $e (i32.add (local.get $line) (i32.shl (local.get $lo) (i32.const 2))))
              (block $zDone (loop $z
                (br_if $zDone (i32.ge_u (local.get $d) (local.get $e)))
                (f32.store (local.get $d) (f32.const 0))
                (local.set $d (i32.add (local.get $d) (i32.const 4)))
                (br $z)))
              (local.set $s (i32.add (local.get $xp) (i32.add (local.get $col) (local.get $r))))
              (local.set $e (i32.add (local.get $d) (i32.shl (i32.sub (local.get $hi) (local.get $lo)) (i32.const 2))))
              (if (i32.eq (local.get $step) (i32.const 4))
                (then
                  (local.set $ev (i32.add (local.get $d)
                    (i32.shl (i32.and (i32.sub (local.get $hi) (local.get $lo)) (i32.const -4)) (i32.const 2))))
                  (block $vDone (loop $v
                    (br_if $vDone (i32.ge_u (local.get $d) (local.get $ev)))
                    (v128.store (local.get $d) (v128.load (local.get $s)))
                    (local.set $d (i32.add (local.get $d) (i32.const 16)))
                    (local.set $s (i32.add (local.get $s) (i32.const 16)))
                    (br $v)))))
              (block $sDone (loop $sc
                (br_if $sDone (i32.ge_u (local.get $d) (local.get $e)))
                (f32.store (local.get $d) (f32.load (local.get $s)))
                (local.set $d (i32.add (local.get $d) (i32.const 4)))
                (local.set $s (i32.add (local.get $s) (local.get $step)))
                (br $sc)))
              (block $tDone (loop $t
                (br_if $tDone (i32.ge_u (local.get $d) (local.get $lineEnd)))
                (f32.store (local.get $d) (f32.const 0))
                (local.set $d (i32.add (local.get $d) (i32.const 4)))
                (br $t)))))
          (local.set $m (i32.add (local.get $m) (i32.const 1)))
          (br $mLoop)))
        (local.set $o (i32.add (local.get $o) (local.get $rowBytes)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $kLoop)))
      (local.set $xp (i32.add (local.get $xp) (local.get $plane)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pLoop)))
  )

  ;; F.fold, im2col's adjoint: $nc planes of $plane bytes at $out, zeroed, then every column entry
  ;; of $cols ([nc][K][M·Wo] floats) added where im2col read it.
  (func (export "col2im") (param $cols i32) (param $plane i32) (param $nc i32) (param $out i32)
    (param $plan i32) (param $K i32) (param $M i32) (param $Wo i32) (param $step i32)
    (local $p i32) (local $k i32) (local $m i32) (local $op i32) (local $c i32) (local $r i32)
    (local $lo i32) (local $hi i32) (local $col i32) (local $s i32) (local $d i32) (local $e i32)
    (local $ev i32) (local $rowBytes i32) (local $kRow i32)
    (local.set $rowBytes (i32.shl (i32.mul (local.get $M) (local.get $Wo)) (i32.const 2)))
    (memory.fill (local.get $out) (i32.const 0) (i32.mul (local.get $nc) (local.get $plane)))
    (local.set $c (local.get $cols))
    (local.set $op (local.get $out))
    (block $pDone (loop $pLoop
      (br_if $pDone (i32.ge_u (local.get $p) (local.get $nc)))
      (local.set $k (i32.const 0))
      (block $kDone (loop $kLoop
        (br_if $kDone (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $lo (i32.load (i32.add (local.get $plan)
          (i32.shl (i32.add (i32.mul (local.get $K) (local.get $M)) (local.get $k)) (i32.const 2)))))
        (local.set $hi (i32.load (i32.add (local.get $plan)
          (i32.shl (i32.add (i32.mul (local.get $K) (i32.add (local.get $M) (i32.const 1))) (local.get $k)) (i32.const 2)))))
        (local.set $col (i32.load (i32.add (local.get $plan)
          (i32.shl (i32.add (i32.mul (local.get $K) (i32.add (local.get $M) (i32.const 2))) (local.get $k)) (i32.const 2)))))
        (local.set $kRow (i32.add (local.get $plan) (i32.shl (i32.mul (local.get $k) (local.get $M)) (i32.const 2))))
        (local.set $m (i32.const 0))
        ;; as in im2col: rows wholly inside the input with adjacent elements, a plain f32x4 sum of
        ;; $Wo floats per row (rows in the padding add nothing)
        (if (i32.and (i32.eq (local.get $step) (i32.const 4))
              (i32.and (i32.eqz (local.get $lo)) (i32.eq (local.get $hi) (local.get $Wo))))
          (then
            (local.set $s (local.get $c))
            (block $fDone (loop $fLoop
              (br_if $fDone (i32.ge_u (local.get $m) (local.get $M)))
              (local.set $e (i32.add (local.get $s) (i32.shl (local.get $Wo) (i32.const 2))))
              (local.set $r (i32.load (i32.add (local.get $kRow) (i32.shl (local.get $m) (i32.const 2)))))
              (if (i32.ge_s (local.get $r) (i32.const 0))
                (then
                  (local.set $d (i32.add (local.get $op) (i32.add (local.get $col) (local.get $r))))
                  (local.set $ev (i32.add (local.get $s) (i32.shl (i32.and (local.get $Wo) (i32.const -4)) (i32.const 2))))
                  (block $gDone (loop $g
                    (br_if $gDone (i32.ge_u (local.get $s) (local.get $ev)))
                    (v128.store (local.get $d) (f32x4.add (v128.load (local.get $d)) (v128.load (local.get $s))))
                    (local.set $d (i32.add (local.get $d) (i32.const 16)))
                    (local.set $s (i32.add (local.get $s) (i32.const 16)))
                    (br $g)))
                  (block $hDone (loop $hl
                    (br_if $hDone (i32.ge_u (local.get $s) (local.get $e)))
                    (f32.store (local.get $d) (f32.add (f32.load (local.get $d)) (f32.load (local.get $s))))
                    (local.set $d (i32.add (local.get $d) (i32.const 4)))
                    (local.set $s (i32.add (local.get $s) (i32.const 4)))
                    (br $hl)))))
              (local.set $s (local.get $e))
              (local.set $m (i32.add (local.get $m) (i32.const 1)))
              (br $fLoop)))))
        (block $mDone (loop $mLoop
          (br_if $mDone (i32.ge_s (local.get $lo) (local.get $hi)))
          (br_if $mDone (i32.ge_u (local.get $m) (local.get $M)))
          (local.set $r (i32.load (i32.add (local.get $kRow) (i32.shl (local.get $m) (i32.const 2)))))
          (if (i32.ge_s (local.get $r) (i32.const 0))
            (then
              (local.set $d (i32.add (local.get $op) (i32.add (local.get $col) (local.get $r))))
              (local.set $s (i32.add (local.get $c)
                (i32.shl (i32.add (i32.mul (local.get $m) (local.get $Wo)) (local.get $lo)) (i32.const 2))))
              (local.set $e (i32.add (local.get $s) (i32.shl (i32.sub (local.get $hi) (local.get $lo)) (i32.const 2))))
              (if (i32.eq (local.get $step) (i32.const 4))
                (then
                  (local.set $ev (i32.add (local.get $s)
                    (i32.shl (i32.and (i32.sub (local.get $hi) (local.get $lo)) (i32.const -4)) (i32.const 2))))
                  (block $vDone (loop $v
                    (br_if $vDone (i32.ge_u (local.get $s) (local.get $ev)))
                    (v128.store (local.get $d) (f32x4.add (v128.load (local.get $d)) (v128.load (local.get $s))))
                    (local.set $d (i32.add (local.get $d) (i32.const 16)))
                    (local.set $s (i32.add (local.get $s) (i32.const 16)))
                    (br $v)))))
              (block $sDone (loop $sc
                (br_if $sDone (i32.ge_u (local.get $s) (local.get $e)))
                (f32.store (local.get $d) (f32.add (f32.load (local.get $d)) (f32.load (local.get $s))))
                (local.set $d (i32.add (local.get $d) (local.get $step)))
                (local.set $s (i32.add (local.get $s) (i32.const 4)))
                (br $sc)))))
          (local.set $m (i32.add (local.get $m) (i32.const 1)))
          (br $mLoop)))
        (local.set $c (i32.add (local.get $c) (local.get $rowBytes)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $kLoop)))
      (local.set $op (i32.add (local.get $op) (local.get $plane)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pLoop)))
  )

  ;; Max pooling of $nc dense planes of $plane bytes at $x by a plan (see im2col): values ($vals)
  ;; and flat input positions ($idx), [nc][M·Wo] each. Kernel offsets are outermost, so each window
  ;; meets its elements in PyTorch's order; an element replaces the window's best when none was
  ;; found yet (index −1), when it is larger, or when it is NaN (so ties keep the first maximum and
  ;; the last NaN wins). Branch-free: f32x4 compares and bitselects, four windows at a time where
  ;; the windows' step is 1 or 2 floats; `select` otherwise, on the floats' bits (V8 compiles a
  ;; select of floats to a branch, which ReLU's zeros make unpredictable: 2× slower).
  (func (export "maxPool") (param $x i32) (param $plane i32) (param $nc i32) (param $vals i32)
    (param $idx i32) (param $plan i32) (param $K i32) (param $M i32) (param $Wo i32) (param $step i32)
    (local $p i32) (local $k i32) (local $m i32) (local $xp i32) (local $ob i32) (local $r i32)
    (local $lo i32) (local $hi i32) (local $col i32) (local $s i32) (local $vr i32) (local $ir i32)
    (local $n i32) (local $kRow i32) (local $rowBytes i32) (local $lanes v128)
    (local $v v128) (local $cur v128) (local $ci v128) (local $mask v128) (local $pos v128)
    (local $fv f32) (local $fc f32) (local $ic i32) (local $up i32)
    (local.set $rowBytes (i32.shl (i32.mul (local.get $M) (local.get $Wo)) (i32.const 2)))
    (memory.fill (local.get $idx) (i32.const 255) (i32.mul (local.get $nc) (local.get $rowBytes)))
    ;; lane i's position is i·(step in floats) past lane 0's
    (local.set $lanes (i32x4.mul (v128.const i32x4 0 1 2 3) (i32x4.splat (i32.shr_u (local.get $step) (i32.const 2)))))
    (local.set $xp (local.get $x))
    (block $pDone (loop $pLoop
      (br_if $pDone (i32.ge_u (local.get $p) (local.get $nc)))
      (local.set $k (i32.const 0))
      (block $kDone (loop $kLoop
        (br_if $kDone (i32.ge_u (local.get $k) (local.get $K)))
        (local.set $lo (i32.load (i32.add (local.get $plan)
          (i32.shl (i32.add (i32.mul (local.get $K) (local.get $M)) (local.get $k)) (i32.const 2)))))
        (local.set $hi (i32.load (i32.add (local.get $plan)
          (i32.shl (i32.add (i32.mul (local.get $K) (i32.add (local.get $M) (i32.const 1))) (local.get $k)) (i32.const 2)))))
        (local.set $col (i32.load (i32.add (local.get $plan)
          (i32.shl (i32.add (i32.mul (local.get $K) (i32.add (local.get $M) (i32.const 2))) (local.get $k)) (i32.const 2)))))
        (local.set $kRow (i32.add (local.get $plan) (i32.shl (i32.mul (local.get $k) (local.get $M)) (i32.const 2))))
        (local.set $m (i32.const 0))
        (block $mDone (loop $mLoop
          (br_if $mDone (i32.ge_u (local.get $m) (local.get $M)))
          (local.set $r (i32.load (i32.add (local.get $kRow) (i32.shl (local.get $m) (i32.const 2)))))
          (if (i32.and (i32.ge_s (local.get $r) (i32.const 0)) (i32.lt_s (local.get $lo) (local.get $hi)))
            (then
              (local.set $s (i32.add (local.get $xp) (i32.add (local.get $col) (local.get $r))))
              (local.set $vr (i32.add (local.get $ob)
                (i32.shl (i32.add (i32.mul (local.get $m) (local.get $Wo)) (local.get $lo)) (i32.const 2))))
              (local.set $ir (i32.add (local.get $idx) (local.get $vr)))
              (local.set $vr (i32.add (local.get $vals) (local.get $vr)))
              (local.set $n (i32.sub (local.get $hi) (local.get $lo)))
              (if (i32.or (i32.eq (local.get $step) (i32.const 4)) (i32.eq (local.get $step) (i32.const 8)))
                (then
                  (block $vDone (loop $vl
                    (br_if $vDone (i32.lt_s (local.get $n) (i32.const 4)))
                    (if (i32.eq (local.get $step) (i32.const 4))
                      (then (local.set $v (v128.load (local.get $s))))
                      (else (local.set $v (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27
                        (v128.load (local.get $s)) (v128.load offset=16 (local.get $s))))))
                    (local.set $pos (i32x4.add (local.get $lanes)
                      (i32x4.splat (i32.shr_u (i32.sub (local.get $s) (local.get $xp)) (i32.const 2)))))
                    (local.set $cur (v128.load (local.get $vr)))
                    (local.set $ci (v128.load (local.get $ir)))
                    (local.set $mask (v128.or (i32x4.lt_s (local.get $ci) (v128.const i32x4 0 0 0 0))
                      (v128.or (f32x4.gt (local.get $v) (local.get $cur)) (f32x4.ne (local.get $v) (local.get $v)))))
                    (v128.store (local.get $vr) (v128.bitselect (local.get $v) (local.get $cur) (local.get $mask)))
                    (v128.store (local.get $ir) (v128.bitselect (local.get $pos) (local.get $ci) (local.get $mask)))
                    (local.set $s (i32.add (local.get $s) (i32.shl (local.get $step) (i32.const 2))))
                    (local.set $vr (i32.add (local.get $vr) (i32.const 16)))
                    (local.set $ir (i32.add (local.get $ir) (i32.const 16)))
                    (local.set $n (i32.sub (local.get $n) (i32.const 4)))
                    (br $vl)))))
              (block $sDone (loop $sl
                (br_if $sDone (i32.le_s (local.get $n) (i32.const 0)))
                (local.set $fv (f32.load (local.get $s)))
                (local.set $fc (f32.load (local.get $vr)))
                (local.set $ic (i32.load (local.get $ir)))
                (local.set $up (i32.or (i32.lt_s (local.get $ic) (i32.const 0))
                  (i32.or (f32.gt (local.get $fv) (local.get $fc)) (f32.ne (local.get $fv) (local.get $fv)))))
                (i32.store (local.get $vr) (select (i32.reinterpret_f32 (local.get $fv)) (i32.reinterpret_f32 (local.get $fc)) (local.get $up)))
                (i32.store (local.get $ir) (select (i32.shr_u (i32.sub (local.get $s) (local.get $xp)) (i32.const 2))
                  (local.get $ic) (local.get $up)))
                (local.set $s (i32.add (local.get $s) (local.get $step)))
                (local.set $vr (i32.add (local.get $vr) (i32.const 4)))
                (local.set $ir (i32.add (local.get $ir) (i32.const 4)))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (br $sl)))))
          (local.set $m (i32.add (local.get $m) (i32.const 1)))
          (br $mLoop)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $kLoop)))
      (local.set $xp (i32.add (local.get $xp) (local.get $plane)))
      (local.set $ob (i32.add (local.get $ob) (local.get $rowBytes)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pLoop)))
  )

  ;; Max pooling 2×2, stride 2, no padding (MaxPool2d(2)) of $nc dense planes [H, W] at $x: values
  ;; and flat positions as $maxPool, [nc][(H div 2)·(W div 2)]. Four windows at a time, their two rows as
  ;; f32x4 (even and odd columns split by shuffles): each row's pair is combined, then the rows. A
  ;; later run replaces an earlier one when larger or NaN; combining adjacent runs this way gives
  ;; what a scan in PyTorch's order gives (the first maximum, or the last NaN), with a shorter chain
  ;; of dependent instructions. The windows past a multiple of four one by one, the same way.
  (func (export "maxPool2x2") (param $x i32) (param $H i32) (param $W i32) (param $nc i32)
    (param $vals i32) (param $idx i32)
    (local $p i32) (local $m i32) (local $j i32) (local $Ho i32) (local $Wo i32) (local $xp i32)
    (local $r0 i32) (local $r1 i32) (local $pos i32) (local $rowBytes i32) (local $up i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128) (local $mask v128)
    (local $ia v128) (local $ib v128) (local $ic v128) (local $id v128)
    (local $fa f32) (local $fb f32) (local $fc f32) (local $fd f32)
    (local $ja i32) (local $jb i32) (local $jc i32) (local $jd i32)
    (local.set $Ho (i32.shr_u (local.get $H) (i32.const 1)))
    (local.set $Wo (i32.shr_u (local.get $W) (i32.const 1)))
    (local.set $rowBytes (i32.shl (local.get $W) (i32.const 2)))
    (local.set $xp (local.get $x))
    (block $pDone (loop $pLoop
      (br_if $pDone (i32.ge_u (local.get $p) (local.get $nc)))
      (local.set $m (i32.const 0))
      (block $mDone (loop $mLoop
        (br_if $mDone (i32.ge_u (local.get $m) (local.get $Ho)))
        ;; input rows 2m and 2m + 1; $pos: the position in the plane of window j's first element
        (local.set $pos (i32.mul (i32.shl (local.get $m) (i32.const 1)) (local.get $W)))
        (local.set $r0 (i32.add (local.get $xp) (i32.shl (local.get $pos) (i32.const 2))))
        (local.set $r1 (i32.add (local.get $r0) (local.get $rowBytes)))
        (local.set $j (i32.const 0))
        (block $vDone (loop $vLoop
          (br_if $vDone (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $Wo)))
          (local.set $c (v128.load (local.get $r0)))
          (local.set $d (v128.load offset=16 (local.get $r0)))
          (local.set $a (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $c) (local.get $d)))
          (local.set $b (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $c) (local.get $d)))
          (local.set $ic (v128.load (local.get $r1)))
          (local.set $d (v128.load offset=16 (local.get $r1)))
          (local.set $c (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 24 25 26 27 (local.get $ic) (local.get $d)))
          (local.set $d (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 28 29 30 31 (local.get $ic) (local.get $d)))
          (local.set $ia (i32x4.add (i32x4.splat (local.get $pos)) (v128.const i32x4 0 2 4 6)))
          (local.set $ib (i32x4.add (local.get $ia) (v128.const i32x4 1 1 1 1)))
          (local.set $ic (i32x4.add (local.get $ia) (i32x4.splat (local.get $W))))
          (local.set $id (i32x4.add (local.get $ic) (v128.const i32x4 1 1 1 1)))
          (local.set $mask (v128.or (f32x4.gt (local.get $b) (local.get $a)) (f32x4.ne (local.get $b) (local.get $b))))
          (local.set $a (v128.bitselect (local.get $b) (local.get $a) (local.get $mask)))
          (local.set $ia (v128.bitselect (local.get $ib) (local.get $ia) (local.get $mask)))
          (local.set $mask (v128.or (f32x4.gt (local.get $d) (local.get $c)) (f32x4.ne (local.get $d) (local.get $d))))
          (local.set $c (v128.bitselect (local.get $d) (local.get $c) (local.get $mask)))
          (local.set $ic (v128.bitselect (local.get $id) (local.get $ic) (local.get $mask)))
          (local.set $mask (v128.or (f32x4.gt (local.get $c) (local.get $a)) (f32x4.ne (local.get $c) (local.get $c))))
          (local.set $a (v128.bitselect (local.get $c) (local.get $a) (local.get $mask)))
          (local.set $ia (v128.bitselect (local.get $ic) (local.get $ia) (local.get $mask)))
         (v128.store (local.get $vals) (local.get $a))
          (v128.store (local.get $idx) (local.get $ia))
          (local.set $vals (i32.add (local.get $vals) (i32.const 16)))
          (local.set $idx (i32.add (local.get $idx) (i32.const 16)))
          (local.set $r0 (i32.add (local.get $r0) (i32.const 32)))
          (local.set $r1 (i32.add (local.get $r1) (i32.const 32)))
          (local.set $pos (i32.add (local.get $pos) (i32.const 8)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $vLoop)))
        (block $sDone (loop $sLoop
          (br_if $sDone (i32.ge_s (local.get $j) (local.get $Wo)))
          (local.set $fa (f32.load (local.get $r0)))
          (local.set $fb (f32.load offset=4 (local.get $r0)))
          (local.set $fc (f32.load (local.get $r1)))
          (local.set $fd (f32.load offset=4 (local.get $r1)))
          (local.set $ja (local.get $pos))
          (local.set $jb (i32.add (local.get $pos) (i32.const 1)))
          (local.set $jc (i32.add (local.get $pos) (local.get $W)))
          (local.set $jd (i32.add (local.get $jc) (i32.const 1)))
          (local.set $up (i32.or (f32.gt (local.get $fb) (local.get $fa)) (f32.ne (local.get $fb) (local.get $fb))))
          (local.set $fa (f32.reinterpret_i32 (select (i32.reinterpret_f32 (local.get $fb)) (i32.reinterpret_f32 (local.get $fa)) (local.get $up))))
          (local.set $ja (select (local.get $jb) (local.get $ja) (local.get $up)))
          (local.set $up (i32.or (f32.gt (local.get $fd) (local.get $fc)) (f32.ne (local.get $fd) (local.get $fd))))
          (local.set $fc (f32.reinterpret_i32 (select (i32.reinterpret_f32 (local.get $fd)) (i32.reinterpret_f32 (local.get $fc)) (local.get $up))))
          (local.set $jc (select (local.get $jd) (local.get $jc) (local.get $up)))
          (local.set $up (i32.or (f32.gt (local.get $fc) (local.get $fa)) (f32.ne (local.get $fc) (local.get $fc))))
          (local.set $fa (f32.reinterpret_i32 (select (i32.reinterpret_f32 (local.get $fc)) (i32.reinterpret_f32 (local.get $fa)) (local.get $up))))
          (local.set $ja (select (local.get $jc) (local.get $ja) (local.get $up)))
         (f32.store (local.get $vals) (local.get $fa))
          (i32.store (local.get $idx) (local.get $ja))
          (local.set $vals (i32.add (local.get $vals) (i32.const 4)))
          (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
          (local.set $r0 (i32.add (local.get $r0) (i32.const 8)))
          (local.set $r1 (i32.add (local.get $r1) (i32.const 8)))
          (local.set $pos (i32.add (local.get $pos) (i32.const 2)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $sLoop)))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $mLoop)))
      (local.set $xp (i32.add (local.get $xp) (i32.mul (local.get $H) (local.get $rowBytes))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pLoop)))
  )

  ;; maxPool2x2's gradient: $nc planes [H, W] at $out from the gradients $g and positions $idx of
  ;; their windows, [nc][(H div 2)·(W div 2)] each. Windows do not overlap, so each element is the
  ;; gradient of its window where the window's position names it and +0 elsewhere (g + 0: −0 gives
  ;; +0, as adding into zeros does); a row or column in no window (odd sizes) is zeroed first.
  ;; Returns 1, having written a part, when a position lies outside its window (the caller then
  ;; scatters), else 0.
  (func (export "maxPoolGrad2x2") (param $g i32) (param $idx i32) (param $H i32) (param $W i32)
    (param $nc i32) (param $out i32) (result i32)
    (local $p i32) (local $m i32) (local $j i32) (local $Ho i32) (local $Wo i32) (local $op i32)
    (local $r0 i32) (local $r1 i32) (local $pos i32) (local $rowBytes i32) (local $bad i32)
    (local $gv v128) (local $iv v128) (local $pv v128) (local $e0 v128) (local $e1 v128)
    (local $e2 v128) (local $e3 v128) (local $a v128) (local $b v128) (local $miss v128)
    (local $fg i32) (local $k i32)
    (local.set $Ho (i32.shr_u (local.get $H) (i32.const 1)))
    (local.set $Wo (i32.shr_u (local.get $W) (i32.const 1)))
    (local.set $rowBytes (i32.shl (local.get $W) (i32.const 2)))
    (if (i32.and (i32.or (local.get $H) (local.get $W)) (i32.const 1))
      (then (memory.fill (local.get $out) (i32.const 0)
        (i32.mul (local.get $nc) (i32.mul (local.get $H) (local.get $rowBytes))))))
    (local.set $op (local.get $out))
    (block $pDone (loop $pLoop
      (br_if $pDone (i32.ge_u (local.get $p) (local.get $nc)))
      (local.set $m (i32.const 0))
      (block $mDone (loop $mLoop
        (br_if $mDone (i32.ge_u (local.get $m) (local.get $Ho)))
        (local.set $pos (i32.mul (i32.shl (local.get $m) (i32.const 1)) (local.get $W)))
        (local.set $r0 (i32.add (local.get $op) (i32.shl (local.get $pos) (i32.const 2))))
        (local.set $r1 (i32.add (local.get $r0) (local.get $rowBytes)))
        (local.set $j (i32.const 0))
        (block $vDone (loop $vLoop
          (br_if $vDone (i32.gt_s (i32.add (local.get $j) (i32.const 4)) (local.get $Wo)))
          (local.set $gv (v128.load (local.get $g)))
          (local.set $iv (v128.load (local.get $idx)))
          (local.set $pv (i32x4.add (i32x4.splat (local.get $pos)) (v128.const i32x4 0 2 4 6)))
          (local.set $e0 (i32x4.eq (local.get $iv) (local.get $pv)))
          (local.set $e1 (i32x4.eq (local.get $iv) (i32x4.add (local.get $pv) (v128.const i32x4 1 1 1 1))))
          (local.set $pv (i32x4.add (local.get $pv) (i32x4.splat (local.get $W))))
          (local.set $e2 (i32x4.eq (local.get $iv) (local.get $pv)))
          (local.set $e3 (i32x4.eq (local.get $iv) (i32x4.add (local.get $pv) (v128.const i32x4 1 1 1 1))))
          (local.set $miss (v128.or (local.get $miss) (v128.not
            (v128.or (v128.or (local.get $e0) (local.get $e1)) (v128.or (local.get $e2) (local.get $e3))))))
          (local.set $a (f32x4.add (v128.and (local.get $gv) (local.get $e0)) (v128.const f32x4 0 0 0 0)))
          (local.set $b (f32x4.add (v128.and (local.get $gv) (local.get $e1)) (v128.const f32x4 0 0 0 0)))
          (v128.store (local.get $r0) (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
          (v128.store offset=16 (local.get $r0) (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
          (local.set $a (f32x4.add (v128.and (local.get $gv) (local.get $e2)) (v128.const f32x4 0 0 0 0)))
          (local.set $b (f32x4.add (v128.and (local.get $gv) (local.get $e3)) (v128.const f32x4 0 0 0 0)))
          (v128.store (local.get $r1) (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
          (v128.store offset=16 (local.get $r1) (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
          (local.set $g (i32.add (local.get $g) (i32.const 16)))
          (local.set $idx (i32.add (local.get $idx) (i32.const 16)))
          (local.set $r0 (i32.add (local.get $r0) (i32.const 32)))
          (local.set $r1 (i32.add (local.get $r1) (i32.const 32)))
          (local.set $pos (i32.add (local.get $pos) (i32.const 8)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $vLoop)))
        (block $sDone (loop $sLoop
          (br_if $sDone (i32.ge_s (local.get $j) (local.get $Wo)))
          ;; the window's gradient (+0 added) at its position, +0 at the other three
          (local.set $fg (i32.reinterpret_f32 (f32.add (f32.load (local.get $g)) (f32.const 0))))
          (local.set $k (i32.sub (i32.load (local.get $idx)) (local.get $pos)))
          (i32.store (local.get $r0) (select (local.get $fg) (i32.const 0) (i32.eqz (local.get $k))))
          (i32.store offset=4 (local.get $r0) (select (local.get $fg) (i32.const 0) (i32.eq (local.get $k) (i32.const 1))))
          (i32.store (local.get $r1) (select (local.get $fg) (i32.const 0) (i32.eq (local.get $k) (local.get $W))))
          (i32.store offset=4 (local.get $r1) (select (local.get $fg) (i32.const 0)
            (i32.eq (local.get $k) (i32.add (local.get $W) (i32.const 1)))))
          (local.set $bad (i32.or (local.get $bad) (i32.and
            (i32.and (i32.ne (local.get $k) (i32.const 0)) (i32.ne (local.get $k) (i32.const 1)))
            (i32.and (i32.ne (local.get $k) (local.get $W)) (i32.ne (local.get $k) (i32.add (local.get $W) (i32.const 1)))))))
          (local.set $g (i32.add (local.get $g) (i32.const 4)))
          (local.set $idx (i32.add (local.get $idx) (i32.const 4)))
          (local.set $r0 (i32.add (local.get $r0) (i32.const 8)))
          (local.set $r1 (i32.add (local.get $r1) (i32.const 8)))
          (local.set $pos (i32.add (local.get $pos) (i32.const 2)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $sLoop)))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $mLoop)))
      (local.set $op (i32.add (local.get $op) (i32.mul (local.get $H) (local.get $rowBytes))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pLoop)))
    (i32.or (local.get $bad) (v128.any_true (local.get $miss)))
  )
)

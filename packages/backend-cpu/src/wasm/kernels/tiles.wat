;; Nabla's float32 matrix multiply in WebAssembly SIMD (f32x4).
;;
;; Compiled at build time by scripts/build-wasm.mjs (npm package `wabt`) into kernels.generated.ts,
;; from five parts joined in order: this one (which opens the module: its memory, the tiles and
;; the packing), matmul, elementwise, window and pool2x2.
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


;; The kernels module, part 3 of 5 (see matmul.wat): optimizer updates, activations, column sums,
;; padding rows, sums of arrays.
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

;; exp(t) for t in [−87.5, 0] (callers clamp), f32x4, as Cephes' expf: k = round(t·log2 e),
  ;; r = t − k·ln 2 in two parts, a degree-6 polynomial in r, then (p·r² + r + 1)·2^k with 2^k made
  ;; from k's bits (t ≥ −87.5 keeps 2^k normal). NaN gives NaN.
  (func $expf4 (param $t v128) (result v128)
    (local $k v128) (local $r v128) (local $p v128)
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
    (f32x4.mul
      (f32x4.add (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
        (v128.const f32x4 1 1 1 1))
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $k)) (v128.const i32x4 127 127 127 127)) (i32.const 23)))
  )

  ;; Sigmoid in place over n floats at byte offset $x, whole f32x4 vectors (the caller leaves slack),
  ;; branch-free: y = 1/(1 + e) where x ≥ 0 and e/(1 + e) below, with e = exp(−|x|) ≤ 1, which never
  ;; overflows ($expf4 of −|x| clamped to −87.5). A result below the least normal float32 is 0
  ;; (sigmoid's float32 contract, tables.ts); NaN stays NaN.
  (func (export "sigmoid") (param $x i32) (param $n i32)
    (local $end i32) (local $v v128) (local $e v128) (local $y v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (v128.load (local.get $x)))
      (local.set $e (call $expf4
        (f32x4.max (f32x4.neg (f32x4.abs (local.get $v))) (v128.const f32x4 -87.5 -87.5 -87.5 -87.5))))
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

;; Softmax cross-entropy of the $N rows of $C floats at $x (dense, overwritten), with the int32
  ;; labels at $l (each in 0..C−1: the caller checks). Each row is shifted by its maximum m; then
  ;; e = exp(x − m) over all N·C floats with $expf4 (whole vectors: the caller leaves slack), +0 below
  ;; the least normal float32, and z = Σ e per row in f64. With $g = 0 (the loss) it writes, per row,
  ;; z and m − x[label] as f64 pairs at $out: the caller adds log z. Else it writes the gradient for
  ;; the weights g [N] (floats at $g) over x: e·(g/z), less g at the label, in f64 rounded once.
  (func (export "softmaxCrossEntropy") (param $x i32) (param $N i32) (param $C i32) (param $l i32) (param $g i32) (param $out i32)
    (local $i i32) (local $row i32) (local $end i32) (local $p i32) (local $at i32) (local $m f32)
    (local $z f64) (local $s f64) (local $gi f64) (local $el f64) (local $e4 v128)
    ;; rows shifted by their maxima (NaN propagates: a row with one gives NaN)
    (local.set $row (local.get $x))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $i) (local.get $N)))
      (local.set $end (i32.add (local.get $row) (i32.shl (local.get $C) (i32.const 2))))
      (local.set $m (f32.const -inf))
      (local.set $p (local.get $row))
      (block $mDone (loop $max
        (br_if $mDone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $m (f32.max (local.get $m) (f32.load (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $max)))
      (if (i32.eqz (local.get $g)) (then
        (local.set $at (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 4))))
        (f64.store offset=8 (local.get $at) (f64.sub (f64.promote_f32 (local.get $m))
          (f64.promote_f32 (f32.load (i32.add (local.get $row)
            (i32.shl (i32.load (i32.add (local.get $l) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2)))))))))
      (local.set $p (local.get $row))
      (block $sDone (loop $shift
        (br_if $sDone (i32.ge_u (local.get $p) (local.get $end)))
        (f32.store (local.get $p) (f32.sub (f32.load (local.get $p)) (local.get $m)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $shift)))
      (local.set $row (local.get $end))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows)))
    ;; e = exp(max(x − m, −87.5)), +0 where below the least normal float32 (NaN stays)
    (local.set $p (local.get $x))
    (block $eDone (loop $exp
      (br_if $eDone (i32.ge_u (local.get $p) (local.get $row)))
      (v128.store (local.get $p) (v128.andnot
        (local.tee $e4 (call $expf4 (f32x4.max (v128.load (local.get $p)) (v128.const f32x4 -87.5 -87.5 -87.5 -87.5))))
        (f32x4.lt (local.get $e4) (v128.const f32x4 1.1754943508222875e-38 1.1754943508222875e-38 1.1754943508222875e-38 1.1754943508222875e-38))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $exp)))
    ;; per row: z, then the loss's z or the gradient
    (local.set $row (local.get $x))
    (local.set $i (i32.const 0))
    (block $done2 (loop $rows2
      (br_if $done2 (i32.ge_u (local.get $i) (local.get $N)))
      (local.set $end (i32.add (local.get $row) (i32.shl (local.get $C) (i32.const 2))))
      (local.set $z (f64.const 0))
      (local.set $p (local.get $row))
      (block $zDone (loop $sum
        (br_if $zDone (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $z (f64.add (local.get $z) (f64.promote_f32 (f32.load (local.get $p)))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (br $sum)))
      (if (i32.eqz (local.get $g))
        (then (f64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 4))) (local.get $z)))
        (else
          (local.set $gi (f64.promote_f32 (f32.load (i32.add (local.get $g) (i32.shl (local.get $i) (i32.const 2))))))
          (local.set $s (f64.div (local.get $gi) (local.get $z)))
          (local.set $at (i32.add (local.get $row)
            (i32.shl (i32.load (i32.add (local.get $l) (i32.shl (local.get $i) (i32.const 2)))) (i32.const 2))))
          (local.set $el (f64.promote_f32 (f32.load (local.get $at))))
          (local.set $p (local.get $row))
          (block $gDone (loop $grad
            (br_if $gDone (i32.ge_u (local.get $p) (local.get $end)))
            (f32.store (local.get $p) (f32.demote_f64 (f64.mul (f64.promote_f32 (f32.load (local.get $p))) (local.get $s))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $grad)))
          (f32.store (local.get $at) (f32.demote_f64 (f64.sub (f64.mul (local.get $el) (local.get $s)) (local.get $gi))))))
      (local.set $row (local.get $end))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows2)))
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

;; g = sigmoid's gradient g·(y·(1 − y)) ($tanh = 0) or tanh's g·(1 − y²) (else) from the
  ;; output y, in f64 (two f64x2 halves of each f32x4) rounded once: the bits of fused.ts's loop.
  (func (export "activationGrad") (param $y i32) (param $g i32) (param $n i32) (param $tanh i32)
    (local $end i32) (local $yv v128) (local $gv v128) (local $lo v128) (local $hi v128)
    (local.set $end (i32.add (local.get $g) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $g) (local.get $end)))
      (local.set $yv (v128.load (local.get $y)))
      (local.set $gv (v128.load (local.get $g)))
      (local.set $lo (f64x2.promote_low_f32x4 (local.get $yv)))
      (local.set $hi (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $yv) (local.get $yv))))
      (if (local.get $tanh)
        (then
          (local.set $lo (f64x2.sub (v128.const f64x2 1 1) (f64x2.mul (local.get $lo) (local.get $lo))))
          (local.set $hi (f64x2.sub (v128.const f64x2 1 1) (f64x2.mul (local.get $hi) (local.get $hi)))))
        (else
          (local.set $lo (f64x2.mul (local.get $lo) (f64x2.sub (v128.const f64x2 1 1) (local.get $lo))))
          (local.set $hi (f64x2.mul (local.get $hi) (f64x2.sub (v128.const f64x2 1 1) (local.get $hi))))))
      (local.set $lo (f64x2.mul (f64x2.promote_low_f32x4 (local.get $gv)) (local.get $lo)))
      (local.set $hi (f64x2.mul (f64x2.promote_low_f32x4
        (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $gv) (local.get $gv))) (local.get $hi)))
      (v128.store (local.get $g) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
        (f32x4.demote_f64x2_zero (local.get $lo)) (f32x4.demote_f64x2_zero (local.get $hi))))
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

  ;; Each of the $M rows of $N floats at $c += the $N floats at $bias (a linear layer's bias, added
  ;; to C before matmul.ts copies it out): f32x4 along a row, then its last N % 4 one by one.
  (func (export "addRows") (param $c i32) (param $M i32) (param $N i32) (param $bias i32)
    (local $end i32) (local $rowEnd i32) (local $vecEnd i32) (local $p i32) (local $b i32)
    (local.set $end (i32.add (local.get $c) (i32.shl (i32.mul (local.get $M) (local.get $N)) (i32.const 2))))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $c) (local.get $end)))
      (local.set $rowEnd (i32.add (local.get $c) (i32.shl (local.get $N) (i32.const 2))))
      (local.set $vecEnd (i32.add (local.get $c) (i32.shl (i32.and (local.get $N) (i32.const -4)) (i32.const 2))))
      (local.set $p (local.get $c))
      (local.set $b (local.get $bias))
      (block $vDone (loop $v
        (br_if $vDone (i32.ge_u (local.get $p) (local.get $vecEnd)))
        (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (v128.load (local.get $b))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (br $v)))
      (block $sDone (loop $s
        (br_if $sDone (i32.ge_u (local.get $p) (local.get $rowEnd)))
        (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (f32.load (local.get $b))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $b (i32.add (local.get $b) (i32.const 4)))
        (br $s)))
      (local.set $c (local.get $rowEnd))
      (br $rows)))
  )

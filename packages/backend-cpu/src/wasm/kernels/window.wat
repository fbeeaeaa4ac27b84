;; The kernels module, part 4 of 5 (see matmul.wat): im2col, col2im and max pooling by a plan.
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


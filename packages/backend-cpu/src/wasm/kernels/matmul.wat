;; The kernels module, part 2 of 5 (scripts/build-wasm.mjs joins tiles, matmul, elementwise,
;; window and pool2x2 in that order; tiles.wat opens the module): the matmul driver.
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


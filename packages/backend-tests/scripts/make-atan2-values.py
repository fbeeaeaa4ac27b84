#!/usr/bin/python3
"""Writes fixtures/atan2-values.json: what the oracle's atan2 (src/oracle/atan2.ts) must return,
which src/oracle/atan2.test.ts asserts.

Run from anywhere with Debian's python3-mpmath and python3-torch:
    /usr/bin/python3 scripts/make-atan2-values.py

Finite arguments: mpmath at 300 bits, printed with 40 significant digits (parsing gives the
correctly rounded double). Special arguments (±0, ±Inf, NaN): PyTorch's float64 torch.atan2 (C99
Annex F), whose sign of zero the test checks. The script prints the largest distance between
mpmath and PyTorch on the finite arguments, in ulps, as a check on the table itself.
"""
import json
import math
import os
import random
import struct

import mpmath
import torch

mpmath.mp.prec = 300
rng = random.Random(14)
INF = math.inf


def js(x):
    """A double as a string JavaScript's Number() reads back exactly."""
    if x != x:
        return 'NaN'
    if x in (INF, -INF):
        return 'Infinity' if x > 0 else '-Infinity'
    return repr(float(x))


def ordered(x):
    n = struct.unpack('<q', struct.pack('<d', x))[0]
    return n if n >= 0 else -(n & 0x7FFFFFFFFFFFFFFF)


def torch_atan2(y, x):
    return torch.atan2(torch.tensor([y], dtype=torch.float64), torch.tensor([x], dtype=torch.float64)).item()


finite = [(3.0, -4.0), (1.0, 1.0), (-1.0, 1.0), (1.0, -1.0), (0.5, 0.5000000000000001),
          (1e-300, 1e300), (1e300, 1e-300), (5e-324, 1.0), (-5e-324, -1.0), (1.0, 5e-324),
          (0.41421356237309503, 1.0), (1.0, 0.41421356237309503), (2.0, 1e-17), (-7.5, -1e-5)]
for _ in range(120):
    mag = lambda: rng.uniform(-1, 1) * 10 ** rng.uniform(-8, 8)
    finite.append((mag(), mag()))

rows = []
worst = 0
for y, x in finite:
    want = float(mpmath.nstr(mpmath.atan2(mpmath.mpf(y), mpmath.mpf(x)), 40))
    worst = max(worst, abs(ordered(want) - ordered(torch_atan2(y, x))))
    rows.append([js(y), js(x), mpmath.nstr(mpmath.atan2(mpmath.mpf(y), mpmath.mpf(x)), 40), 'mpmath'])

specials = [0.0, -0.0, 1.0, -1.0, 1e-300, -1e300, INF, -INF, math.nan]
for y in specials:
    for x in specials:
        if y not in (0.0, INF, -INF) and x not in (0.0, INF, -INF) and y == y and x == x:
            continue  # finite and nonzero: covered above
        rows.append([js(y), js(x), js(torch_atan2(y, x)), 'torch'])

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'atan2-values.json')
with open(out, 'w') as f:
    f.write('{\n  "atan2": [\n' + ',\n'.join('    ' + json.dumps(r) for r in rows) + '\n  ]\n}\n')
print(f'{len(rows)} rows; mpmath and PyTorch differ by at most {worst} ulps on the finite ones')

#!/usr/bin/python3
"""Writes fixtures/known-values.json: what each scalar row of the oracle (src/reference.ts) must
return, which src/oracle/known-values.test.ts asserts in ulps.

Run from anywhere with Debian's python3-mpmath and python3-torch:
    /usr/bin/python3 scripts/make-known-values.py

Where the values come from, per row ("source"):
- "mpmath": finite inputs of the elementary functions, evaluated with 300-bit mpmath and printed
  with 40 significant digits, so that parsing the string gives the correctly rounded double (the
  true value is never that close to a midpoint for these inputs);
- "torch": special inputs and results (±0, ±Inf, NaN, overflow to Inf), and the exact IEEE
  operations (neg, abs, reciprocal, square, floor, ceil, + − × ÷, comparisons), from PyTorch's
  float64 kernels, whose special values follow C99 Annex F;
- "contract": where Nabla's documented contract differs from PyTorch's (sign and step keep NaN,
  relu(−0) is +0, maximum/minimum order −0 < +0 as IEEE 754-2019), written out here;
- "exact": int32 results, from Python's exact integers wrapped to 32 bits.
Every mpmath value is also compared with PyTorch's (glibc's libm): the script prints the largest
difference in ulps, a check on the table itself. PyTorch 1.13 is off at two places that mpmath
settles: sigmoid flushes its subnormal results to 0 (sigmoid(−710)) and log1p overflows at the
largest double (log1p(1.8e308) = inf).
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
NAN = math.nan
TINY = 5e-324  # the least subnormal
MAX = 1.7976931348623157e308


def js(x):
    """A double as a string JavaScript's Number() reads back exactly."""
    if x != x:
        return 'NaN'
    if x in (INF, -INF):
        return 'Infinity' if x > 0 else '-Infinity'
    return repr(float(x))


def mp_str(v):
    return mpmath.nstr(v, 40, strip_zeros=False, min_fixed=1, max_fixed=0)


def ordered(x):
    """The position of a double on the line of all doubles (−0 and +0 at 0)."""
    n = struct.unpack('<q', struct.pack('<d', x))[0]
    return n if n >= 0 else -(n & 0x7FFFFFFFFFFFFFFF)


def ulps(a, b):
    """The number of doubles from a to b (finite)."""
    return abs(ordered(a) - ordered(b))


def uniform(lo, hi, n):
    return [rng.uniform(lo, hi) for _ in range(n)]


def log_uniform(lo, hi, n):
    return [math.exp(rng.uniform(math.log(lo), math.log(hi))) for _ in range(n)]


SPECIAL = [0.0, -0.0, INF, -INF, NAN]
SUB = [TINY, -TINY, 1e-310, 2.2250738585072014e-308]
PI = math.pi
WORST = 6381956970095103 * 2.0**797  # the double closest to a multiple of π/2

UNARY_INPUTS = {
    'neg': SPECIAL + SUB + [1, -2.5, 1e300, -MAX],
    'exp': SPECIAL + SUB + [1, -1, 0.5, 1e-300, -1e-300, 1e-10, 0.34657359, -0.34657359, math.log(2),
                            1.5, 10, -10, 100, -100, 700, 709.78, 709.79, 710, -708, -709, -720, -744,
                            -745.1, -745.2, -746, -1000, 1000] + uniform(-50, 50, 20),
    'log': SPECIAL + SUB + [-1, -TINY, 1, 2, 0.5, 1e-300, 0.9999999999, 1.0000000001,
                            0.9999999999999999, 1.0000000000000002, 1.4142, 1.4143, 0.7071, 0.7072,
                            10, 1e10, 1e300, MAX, math.e] + log_uniform(1e-30, 1e30, 20),
    'sqrt': SPECIAL + SUB + [-1, -TINY, 1, 2, 3, 0.5, 4, 1e-300, 1e300, MAX, 0.9999999999999999,
                             1.0000000000000002] + log_uniform(1e-30, 1e30, 15),
    'abs': SPECIAL + SUB + [1, -2.5, 1e300, -MAX],
    'sign': SPECIAL + SUB + [1, -2.5, 1e300, -MAX],
    'sigmoid': SPECIAL + SUB + [1e-300, 1, -1, 10, -10, 36, 37, 40, -40, 100, -100, -700, -709, -710,
                                -720, -745, -746, -800, 800] + uniform(-30, 30, 15),
    'tanh': SPECIAL + SUB + [1e-300, 1e-10, 1e-5, 0.1, 0.5, 0.55, 1, 5, 19, 20, 22, 30, 100, -0.3,
                             -20] + uniform(-10, 10, 15),
    'relu': SPECIAL + SUB + [1, -2.5, 1e300, -MAX],
    'step': SPECIAL + SUB + [1, -2.5, 1e300, -MAX],
    'reciprocal': SPECIAL + SUB + [1, -2.5, 3, 1e300, -MAX, 1e-308],
    'square': SPECIAL + SUB + [1, -2.5, 3, 1e-300, 1e154, 1e155, -MAX, 0.1],
    'sin': SPECIAL + SUB + [1e-300, 1e-8, 0.5, 0.785398, PI / 4, PI / 2, PI, 2 * PI, 3, 10, -10, 100,
                            1e5, 1e10, 1e22, 1e100, 1e300, MAX, WORST, -WORST] + uniform(-20, 20, 15),
    'cos': SPECIAL + SUB + [1e-300, 1e-8, 0.5, 0.785398, PI / 4, PI / 2, PI, 2 * PI, 3, 10, -10, 100,
                            1e5, 1e10, 1e22, 1e100, 1e300, MAX, WORST, -WORST] + uniform(-20, 20, 15),
    'floor': SPECIAL + SUB + [0.5, -0.5, 1.5, -1.5, 2.5, 4503599627370495.5, -4503599627370495.5,
                              2.0**53, 1e300, 0.9999999999999999, -0.9999999999999999],
    'ceil': SPECIAL + SUB + [0.5, -0.5, 1.5, -1.5, 2.5, 4503599627370495.5, -4503599627370495.5,
                             2.0**53, 1e300, 0.9999999999999999, -0.9999999999999999],
    'log1p': SPECIAL + SUB + [1e-300, -1e-300, 1e-10, -1e-10, 0.28, 0.29, -0.28, -0.3, 0.4, 0.42, 1,
                              10, 1e300, MAX, -0.5, -0.9999, -0.9999999999999999, -1, -2] +
                             uniform(-0.99, 5, 15),
    'expm1': SPECIAL + SUB + [1e-300, 1e-10, -1e-10, 0.3, -0.3, 0.35, 0.5, -0.5, 1, -1, 10, 37, 40,
                              -40, -50, -51, 100, 709, 709.78, 710, -745, -1000] + uniform(-40, 40, 15),
}

MP_UNARY = {
    'exp': mpmath.exp,
    'log': mpmath.log,
    'sqrt': mpmath.sqrt,
    'sigmoid': lambda x: 1 / (1 + mpmath.exp(-x)),
    'tanh': mpmath.tanh,
    'sin': mpmath.sin,
    'cos': mpmath.cos,
    'log1p': mpmath.log1p,
    'expm1': mpmath.expm1,
}
TORCH_UNARY = {
    'neg': torch.neg, 'exp': torch.exp, 'log': torch.log, 'sqrt': torch.sqrt, 'abs': torch.abs,
    'sigmoid': torch.sigmoid, 'tanh': torch.tanh, 'reciprocal': torch.reciprocal,
    'square': torch.square, 'sin': torch.sin, 'cos': torch.cos, 'floor': torch.floor,
    'ceil': torch.ceil, 'log1p': torch.log1p, 'expm1': torch.expm1,
}
CONTRACT_UNARY = {
    # NumPy's sign: NaN stays NaN and ±0 keep their sign (PyTorch gives 0 for NaN)
    'sign': lambda x: x if x != x or x == 0 else (1.0 if x > 0 else -1.0),
    # NaN propagates; relu(−0) is +0 (PyTorch keeps −0)
    'relu': lambda x: x if x != x else (x if x > 0 else 0.0),
    'step': lambda x: x if x != x else (1.0 if x > 0 else 0.0),
}


def torch1(f, *xs):
    return f(*(torch.tensor([x], dtype=torch.float64) for x in xs)).item()


worst = {}


def mp_finite(v):
    """A real, finite mpmath value (a complex one means outside the real domain: NaN)."""
    return not isinstance(v, mpmath.mpc) and mpmath.isfinite(v)


def mp_value(op, t, v, at):
    """v as a string; notes how far PyTorch's value t is from it (overflow counts as far)."""
    s = mp_str(v)
    d = ulps(t, float(s)) if math.isfinite(t) and math.isfinite(float(s)) else \
        (0 if t == float(s) else math.inf)
    worst[op] = max(worst.get(op, (0, '')), (d, at))
    return s


def unary_row(op, x):
    if op in CONTRACT_UNARY:
        return [js(x), js(CONTRACT_UNARY[op](x)), 'contract']
    t = torch1(TORCH_UNARY[op], x)
    if op in MP_UNARY and math.isfinite(x) and x != 0:
        v = MP_UNARY[op](mpmath.mpf(x))
        if mp_finite(v):
            return [js(x), mp_value(op, t, v, js(x)), 'mpmath']
    return [js(x), js(t), 'torch']


POW_PAIRS = [
    # Annex F: x^±0 = 1 even for NaN, 1^y = 1 even for NaN and ±Inf, (−1)^±Inf = 1
    (NAN, 0.0), (NAN, -0.0), (INF, 0.0), (2, -0.0), (1, NAN), (1, INF), (1, -INF), (-1, INF),
    (-1, -INF), (NAN, 1), (2, NAN), (NAN, NAN),
    # ±0 with odd, even, fractional and infinite exponents
    (0.0, -3), (-0.0, -3), (0.0, -2), (-0.0, -2), (-0.0, -0.5), (0.0, 3), (-0.0, 3), (-0.0, 2),
    (-0.0, 0.5), (0.0, -INF), (-0.0, -INF), (0.0, INF), (-0.0, INF),
    # |x| ≠ 1 with ±Inf; ±Inf with every kind of exponent
    (0.5, INF), (0.5, -INF), (2, INF), (2, -INF), (-0.5, INF), (-0.5, -INF), (-2, INF), (-2, -INF),
    (INF, 2), (INF, -2), (INF, 0.5), (-INF, 3), (-INF, 2), (-INF, -3), (-INF, -2), (-INF, 0.5),
    (-INF, -0.5),
    # negative bases: integer exponents keep a sign by parity, others are NaN
    (-8, 1 / 3), (-2, 3), (-2, 4), (-2, -3), (-1.5, 2.0**53), (-1.0000001, 2.0**53 + 2), (-3, 41),
    (-2.5, -7),
    # exact integer powers, overflow, underflow into the subnormals
    (2, 0.5), (2, 1023), (2, 1024), (2, -1074), (2, -1075), (2, -1076), (10, 308), (10, 309),
    (10, -323), (10, -324), (3, 40), (7, 20), (1.1, 64), (0.9, -64), (1.0000001, 1e7),
    (1.0000000000000002, 2.0**53), (0.9999999, -1e9), (math.e, 1e-10), (1e300, 1.02),
    (1e-300, 0.5), (123.456, 7.89), (2, 1e30), (0.5, 1e30), (0.5, -1e30), (TINY, 0.5),
    (TINY, -0.5), (MAX, 0.5), (MAX, 1.0000001), (1e-310, 1.5), (4, 0.5), (8, 1 / 3),
]
POW_PAIRS += [(rng.uniform(0.1, 3), rng.uniform(-3, 3)) for _ in range(15)]
POW_PAIRS += [(math.exp(rng.uniform(-12, 12)), rng.uniform(-30, 30)) for _ in range(15)]

ARITH_PAIRS = [
    (1, 2), (0.1, 0.2), (1, 2.0**-53), (1, 2.0**-52), (2.0**53, 1), (-1, 1), (0.0, -0.0), (-0.0, -0.0),
    (INF, -INF), (INF, INF), (INF, 0.0), (1, 0.0), (-1, 0.0), (1, -0.0), (0.0, 0.0), (NAN, 1),
    (MAX, MAX), (MAX, 2), (TINY, 0.5), (TINY, 2), (1e-300, 1e-300), (1e300, 1e10), (3, 7), (-7, 3),
]
ORDER_PAIRS = [
    (1, 2), (2, 1), (1, 1), (0.0, -0.0), (-0.0, 0.0), (NAN, 1), (1, NAN), (NAN, NAN), (INF, -INF),
    (-INF, -INF), (TINY, 0.0), (-TINY, -0.0), (MAX, INF),
]
TORCH_BINARY = {
    'add': torch.add, 'sub': torch.sub, 'mul': torch.mul, 'div': torch.div, 'pow': torch.pow,
    'eq': torch.eq, 'ne': torch.ne, 'lt': torch.lt, 'le': torch.le, 'gt': torch.gt, 'ge': torch.ge,
}


def ieee_max(a, b, sign):
    """IEEE 754-2019 maximum (sign 1) / minimum (−1): NaN propagates, −0 < +0."""
    if a != a or b != b:
        return NAN
    if a == b:
        neg = math.copysign(1, a) < 0
        return a if (neg if sign < 0 else not neg) else b
    return a if (a > b) == (sign > 0) else b


def binary_row(op, a, b):
    if op in ('maximum', 'minimum'):
        return [js(a), js(b), js(ieee_max(a, b, 1 if op == 'maximum' else -1)), 'contract']
    t = float(torch1(TORCH_BINARY[op], a, b))
    if op == 'pow' and all(math.isfinite(v) and v != 0 for v in (a, b)) and a != 1:
        v = mpmath.power(mpmath.mpf(a), mpmath.mpf(b))
        if mp_finite(v):
            return [js(a), js(b), mp_value(op, t, v, f'{js(a)}, {js(b)}'), 'mpmath']
    return [js(a), js(b), js(t), 'torch']


def wrap32(n):
    return (n + 2**31) % 2**32 - 2**31


INT_PAIRS = [(2147483647, 2147483647), (-2147483648, -1), (65536, 65536), (46341, 46341),
             (123456789, 987654321), (-7, 3), (0, -5), (-2147483648, 2147483647)]
INT_POW = [(2, 31), (-2, 31), (2, 32), (3, 40), (-3, 3), (0, 0), (5, 0), (1, 100), (-1, 7),
           (46341, 2), (65536, 2), (7, -1), (1, -3), (-1, -3), (-1, -4), (0, -1), (2, -2)]


def int_pow(a, b):
    if b >= 0:
        return wrap32(a**b)
    # truncated toward zero: ±1 for a = ±1, else 0 (and 1/0 stores as 0)
    return 1 if a == 1 else (-1 if b % 2 else 1) if a == -1 else 0


def compact(value, depth=0):
    """JSON with one row (a list of scalars) per line."""
    pad = ' ' * (depth + 1)
    if isinstance(value, dict):
        items = [f'{pad}{json.dumps(k)}: {compact(v, depth + 1)}' for k, v in value.items()]
        return '{\n' + ',\n'.join(items) + '\n' + ' ' * depth + '}'
    if isinstance(value, list) and value and isinstance(value[0], list):
        return '[\n' + ',\n'.join(pad + json.dumps(v) for v in value) + '\n' + ' ' * depth + ']'
    return json.dumps(value)


def main():
    out = {
        'about': 'Made by scripts/make-known-values.py; asserted by src/oracle/known-values.test.ts.',
        'mpmath': mpmath.__version__,
        'torch': torch.__version__,
        'unary': {op: [unary_row(op, float(x)) for x in xs] for op, xs in UNARY_INPUTS.items()},
        'binary': {
            **{op: [binary_row(op, float(a), float(b)) for a, b in ARITH_PAIRS]
               for op in ('add', 'sub', 'mul', 'div')},
            'pow': [binary_row('pow', float(a), float(b)) for a, b in POW_PAIRS],
            **{op: [binary_row(op, float(a), float(b)) for a, b in ORDER_PAIRS]
               for op in ('maximum', 'minimum', 'eq', 'ne', 'lt', 'le', 'gt', 'ge')},
        },
        'int32': {
            'square': [[a, wrap32(a * a)] for a, _ in INT_PAIRS],
            'mul': [[a, b, wrap32(a * b)] for a, b in INT_PAIRS],
            'pow': [[a, b, int_pow(a, b)] for a, b in INT_POW],
        },
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures',
                        'known-values.json')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(compact(out) + '\n')
    rows = sum(len(v) for g in ('unary', 'binary', 'int32') for v in out[g].values())
    print(f'wrote {os.path.normpath(path)}: {rows} rows')
    print('PyTorch (libm) vs mpmath, largest difference in ulps (at):',
          ', '.join(f'{op} {u} ({x})' for op, (u, x) in sorted(worst.items())))


main()

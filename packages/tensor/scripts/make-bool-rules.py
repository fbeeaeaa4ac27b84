#!/usr/bin/python3
"""Writes fixtures/bool-rules.json: what PyTorch 1.13 does with bool tensors (the dtype of each
result and its values, or that it refuses), which src/bool.test.ts replays with Nabla, one Nabla
function per case name.

Run from anywhere with Debian's PyTorch (python3-torch, 1.13, CPU):

    /usr/bin/python3 packages/tensor/scripts/make-bool-rules.py

Inputs: a = [True, False, True], b = [True, True, False], x = [nan, 0, 0.5, -1] (float32),
i = [1, 2, 3] (int32). PyTorch's int64 results are Nabla's int32 (it has no int64).
"""
import json
import math
import os

import torch

a = torch.tensor([True, False, True])
b = torch.tensor([True, True, False])
x = torch.tensor([math.nan, 0.0, 0.5, -1.0])
i = torch.tensor([1, 2, 3], dtype=torch.int32)

CASES = {
    # comparisons and casts
    'x.ne(0)': lambda: x != 0,
    'x.cast(bool)': lambda: x.bool(),
    'i.cast(bool)': lambda: (i - 2).bool(),
    'a.cast(float32)': lambda: a.float(),
    'a.cast(int32)': lambda: a.int(),
    'a.eq(b)': lambda: a == b,
    'a.lt(b)': lambda: a < b,
    # two bools: logical, refused, or float
    'a.add(b)': lambda: a + b,
    'a.mul(b)': lambda: a * b,
    'a.maximum(b)': lambda: torch.maximum(a, b),
    'a.minimum(b)': lambda: torch.minimum(a, b),
    'a.sub(b)': lambda: a - b,
    'a.pow(b)': lambda: a ** b,
    'a.div(b)': lambda: a / b,
    # bool with numbers and other dtypes
    'a.add(1)': lambda: a + 1,
    'a.add(1.5)': lambda: a + 1.5,
    'a.add(i)': lambda: a + i,
    'a.mul(x0)': lambda: a * x[2],
    # unary
    'a.neg()': lambda: -a,
    'a.abs()': lambda: a.abs(),
    'a.relu()': lambda: torch.relu(a),
    'a.floor()': lambda: a.floor(),
    'a.sign()': lambda: a.sign(),
    'a.square()': lambda: a.square(),
    'a.exp()': lambda: a.exp(),
    # reductions and scans
    'a.sum()': lambda: a.sum(),
    'a.max()': lambda: a.max(),
    'a.min()': lambda: a.min(),
    'a.mean()': lambda: a.mean(),
    'a.cumsum(0)': lambda: a.cumsum(0),
    'a.argsort()': lambda: a.argsort(),
    'x.any()': lambda: x.any(),
    'x.all()': lambda: x.all(),
    'x.isnan()': lambda: x.isnan(),
    'a.isinf()': lambda: a.isinf(),
    'a.isfinite()': lambda: a.isfinite(),
    # logical ops, masks, selection
    'a.logicalNot()': lambda: a.logical_not(),
    'x.logicalAnd(a0)': lambda: x.logical_and(torch.tensor([True, True, False, False])),
    'a.logicalOr(b)': lambda: a.logical_or(b),
    'a.logicalXor(b)': lambda: a.logical_xor(b),
    'where(a, i, 0)': lambda: torch.where(a, i, torch.tensor(0, dtype=torch.int32)),
    'where(a, a, b)': lambda: torch.where(a, a, b),
    'x.maskedFill(x.isnan(), 7)': lambda: x.masked_fill(x.isnan(), 7),
    'i.index(a)': lambda: i[a],
    'i.maskedSelect(a)': lambda: i.masked_select(a),
    'concat(a, b)': lambda: torch.cat([a, b]),
    'a.matmul(b)': lambda: a @ b,
}


def values(t):
    # JSON has no NaN or infinities: they are written as strings
    def enc(v):
        v = float(v)
        return 'nan' if math.isnan(v) else ('inf' if v > 0 else '-inf') if math.isinf(v) else v
    return [enc(v) for v in t.reshape(-1).tolist()]


out = {}
for name, f in CASES.items():
    try:
        r = f()
        dtype = {torch.bool: 'bool', torch.int64: 'int32', torch.int32: 'int32',
                 torch.float32: 'float32', torch.float64: 'float64'}[r.dtype]
        out[name] = {'dtype': dtype, 'shape': list(r.shape), 'values': values(r)}
    except RuntimeError as e:
        out[name] = {'refused': str(e).split('\n')[0][:120]}

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'bool-rules.json')
with open(path, 'w') as f:  # one case a line
    lines = [f'  {json.dumps(k)}: {json.dumps(v)}' for k, v in out.items()]
    f.write('{"torch": ' + json.dumps(torch.__version__) + ', "cases": {\n' + ',\n'.join(lines) + '\n}}\n')
print(f'{len(out)} cases -> {os.path.normpath(path)}')

#!/usr/bin/python3
"""Writes fixtures/parity.json: PyTorch 1.13's values and gradients (float64) for the ops of the
everyday API (issue 18) and for the edge cases where Nabla follows PyTorch on purpose (clamp at its
bounds, max along an axis with ties, x.pow(0) at 0, logsumexp with an infinity, …).
src/parity.test.ts computes each case with Nabla and compares.

Run from anywhere with Debian's PyTorch (python3-torch, 1.13, CPU):

    /usr/bin/python3 packages/autograd/scripts/make-parity.py

A case is a name, its inputs and a function of them. Inputs are float64 tensors (int64 where a
case names them `idx`, written as int32 for Nabla); those listed in `grad` require grad. The
output (the first, for ops returning several) is seeded with the upstream gradient
g_i = 1 + i/10 (row-major), and the case records every output and the gradients of `grad`'s
inputs (null where PyTorch gives none). The test holds one Nabla function per name, and fails for
a name on one side only.
"""
import json
import math
import os

import torch

torch.set_default_dtype(torch.float64)
INF = math.inf
NAN = math.nan
CASES = []


def case(name, fn, inputs, grad=()):
    """Adds a case: `inputs` maps names to nested lists; `grad` names those that require grad."""
    ts = {}
    for k, v in inputs.items():
        t = torch.tensor(v, dtype=torch.int64 if k.startswith('idx') else torch.float64)
        ts[k] = t.requires_grad_() if k in grad else t
    out = fn(**ts)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    outs = [o for x in outs for o in (x if isinstance(x, (tuple, list)) else [x])]  # flattened
    grads = {}
    if grad:
        y = outs[0]
        g = (1 + torch.arange(y.numel(), dtype=torch.float64) / 10).reshape(y.shape)
        got = torch.autograd.grad(y, [ts[k] for k in grad], g, allow_unused=True)
        grads = {k: (None if d is None else encode(d)) for k, d in zip(grad, got)}
    CASES.append({
        'name': name,
        'inputs': {k: {'int': k.startswith('idx'), **encode(ts[k].detach())} for k in inputs},
        'grad': list(grad),
        'outputs': [encode(o.detach()) for o in outs],
        'grads': grads,
    })


def num(x):
    """A float as JSON can hold it: NaN and the infinities as strings."""
    x = float(x)
    if x != x:
        return 'NaN'
    if math.isinf(x):
        return 'Infinity' if x > 0 else '-Infinity'
    return x


def encode(t):
    return {'shape': list(t.shape), 'data': [num(v) for v in t.reshape(-1).tolist()]}


# ---- gradients at the edges (issue 18's silent differences) -------------------------------------
case('clamp at the bounds', lambda x: x.clamp(0, 1), {'x': [-1, 0, 0.5, 1, 2]}, grad=['x'])
case('clamp min only', lambda x: x.clamp(min=0), {'x': [-1, 0, 3]}, grad=['x'])
case('clamp max only', lambda x: x.clamp(max=0), {'x': [-1, 0, 3]}, grad=['x'])
case('max along an axis with ties', lambda x: x.max(1).values,
     {'x': [[1, 3, 3], [2, 2, 2]]}, grad=['x'])
case('min along an axis with ties', lambda x: x.min(0).values,
     {'x': [[1, 3, 2], [1, 0, 2]]}, grad=['x'])
case('max of all with ties', lambda x: x.max(), {'x': [[1, 3, 3], [2, 2, 2]]}, grad=['x'])
case('amax over two axes with ties', lambda x: x.amax((0, 1)),
     {'x': [[1, 3, 3], [2, 3, 2]]}, grad=['x'])
case('pow(0) at 0', lambda x: x.pow(0), {'x': [0, 2, -1]}, grad=['x'])
case('pow with a zero exponent tensor', lambda x, y: x.pow(y),
     {'x': [0, 0, 2], 'y': [0, 2, 0]}, grad=['x'])
case('logsumexp with an infinity', lambda x: x.logsumexp(0), {'x': [INF, 1, 2]})
case('logsumexp of -inf', lambda x: x.logsumexp(1), {'x': [[-INF, -INF], [-INF, 0]]})
case('logsumexp of +inf and -inf', lambda x: x.logsumexp(0), {'x': [INF, -INF]})
case('pow(1, nan) and pow(-1, ±inf)', lambda x, y: x.pow(y),
     {'x': [1, 1, 1, -1, -1], 'y': [NAN, INF, -INF, INF, -INF]})

# ---- the everyday API (issue 18), each against its PyTorch counterpart -------------------------
X = [[0.5, -1.25, 3.0, 2.0], [1.5, 0.25, -2.0, 4.5], [-0.75, 2.5, 1.0, -3.5]]
case('cumsum along 1', lambda x: x.cumsum(1), {'x': X}, grad=['x'])
case('cumprod along 0', lambda x: x.cumprod(0), {'x': X}, grad=['x'])
case('cumprod with zeros', lambda x: x.cumprod(1),
     {'x': [[2, 0, 3, 0.5], [0, 1.5, -2, 3], [1, -1, 0.5, 0]]}, grad=['x'])
case('sort descending along 1', lambda x: x.sort(stable=True, dim=1, descending=True), {'x': X},
     grad=['x'])
case('sort with NaN and ties', lambda x: x.sort(stable=True, dim=0),
     {'x': [3, NAN, 1, 3, -INF, 1, NAN, 0]})
case('argsort along 0', lambda x: x.argsort(0), {'x': X})
case('topk 2 along 1', lambda x: x.topk(2, 1), {'x': X}, grad=['x'])
case('topk smallest 2 along 0', lambda x: x.topk(2, 0, largest=False), {'x': X}, grad=['x'])
case('max(dim) values and indices', lambda x: x.max(1), {'x': X}, grad=['x'])
case('min(dim) keepdim', lambda x: x.min(0, keepdim=True), {'x': X}, grad=['x'])
case('std along 1', lambda x: x.std(1), {'x': X}, grad=['x'])
case('std unbiased=False', lambda x: x.std(unbiased=False), {'x': X}, grad=['x'])
case('norm', lambda x: x.norm(), {'x': X}, grad=['x'])
case('norm p=1 along 0', lambda x: x.norm(p=1, dim=0), {'x': X}, grad=['x'])
case('norm p=inf along 1', lambda x: x.norm(p=INF, dim=1), {'x': X}, grad=['x'])
case('norm p=3', lambda x: x.norm(p=3), {'x': X}, grad=['x'])
case('norm of zeros', lambda x: x.norm(dim=1), {'x': [[0, 0, 0], [3, 4, 0]]}, grad=['x'])
case('all and any', lambda x: (x.all(1).to(torch.float64), x.any(0).to(torch.float64), x.all().to(torch.float64)),
     {'x': [[1, 0, 2], [NAN, 3, -1]]})
case('isnan isinf isfinite', lambda x: (x.isnan().double(), x.isinf().double(), x.isfinite().double()),
     {'x': [1, NAN, INF, -INF, 0]})
case('nan_to_num', lambda x: x.nan_to_num(), {'x': [1, NAN, INF, -INF, -0.5]}, grad=['x'])
case('nan_to_num with values', lambda x: x.nan_to_num(nan=7, posinf=8, neginf=-9),
     {'x': [1, NAN, INF, -INF]})
case('lerp', lambda x, y: x.lerp(y, 0.25), {'x': X, 'y': [[1, 2, 3, 4]]}, grad=['x', 'y'])
case('lerp with a tensor weight', lambda x, y, w: x.lerp(y, w),
     {'x': [1.0, 2.0, -3.0], 'y': [5.0, -2.0, 0.5], 'w': [0.0, 0.5, 1.5]}, grad=['x', 'y', 'w'])
case('floor_divide', lambda x: torch.floor_divide(x, 1.5), {'x': [[3.5, -3.5, 0.25, -7.0]]})
case('remainder', lambda x: torch.remainder(x, -1.5), {'x': [[3.5, -3.5, 0.25, -7.0]]},
     grad=['x'])
case('flip', lambda x: x.flip([0, 1]), {'x': X}, grad=['x'])
case('roll along 1', lambda x: x.roll(-1, 1), {'x': X}, grad=['x'])
case('roll flattened', lambda x: x.roll(5), {'x': X}, grad=['x'])
case('roll along two axes', lambda x: x.roll((1, 2), (0, 1)), {'x': X}, grad=['x'])
case('tril', lambda x: x.tril(), {'x': X}, grad=['x'])
case('triu 1', lambda x: x.triu(1), {'x': X}, grad=['x'])
case('tril -1 with infinities', lambda x: x.tril(-1), {'x': [[INF, NAN], [1, -INF]]})
case('split 3 along 1', lambda x: x.split(3, 1), {'x': X}, grad=['x'])
case('split sizes along 0', lambda x: x.split([1, 2], 0), {'x': X})
case('chunk 2 along 1', lambda x: x.chunk(2, 1), {'x': X}, grad=['x'])
case('repeat', lambda x: x.repeat(2, 1, 2), {'x': X}, grad=['x'])
case('tile', lambda x: x.tile((2,)), {'x': X}, grad=['x'])
case('einsum ij,jk->ik', lambda x, y: torch.einsum('ij,jk->ik', x, y),
     {'x': X, 'y': [[1, 2], [3, -1], [0.5, 0], [-2, 1]]}, grad=['x', 'y'])
case('einsum bij,bkj->bik', lambda x, y: torch.einsum('bij,bkj->bik', x, y),
     {'x': [X, X], 'y': [X[:2], X[1:]]}, grad=['x', 'y'])
case('einsum i,i-> and i,j->ij', lambda x, y: (torch.einsum('i,i->', x, y), torch.einsum('i,j->ij', x, y)),
     {'x': [1, 2, 3], 'y': [4, -5, 6]}, grad=['x', 'y'])
case('einsum ij->j and ij->ji', lambda x: (torch.einsum('ij->j', x), torch.einsum('ij->ji', x)),
     {'x': X}, grad=['x'])
case('einsum implicit ij,jk', lambda x, y: torch.einsum('ij,jk', x, y),
     {'x': X, 'y': [[1, 2], [3, -1], [0.5, 0], [-2, 1]]})
case('einsum three operands', lambda x, y, z: torch.einsum('ij,jk,kl->il', x, y, z),
     {'x': X, 'y': [[1, 2], [3, -1], [0.5, 0], [-2, 1]], 'z': [[1, 0, 2], [0.5, -1, 1]]},
     grad=['x', 'y', 'z'])
case('index_select', lambda x, idx: x.index_select(1, idx), {'x': X, 'idx': [3, 0, 3]},
     grad=['x'])
case('integer-array indexing x[idx]', lambda x, idx: x[idx], {'x': X, 'idx': [[2, 0], [-1, 1]]},
     grad=['x'])
case('mask indexing x[mask]', lambda x: x[x > 1], {'x': X}, grad=['x'])
case('row mask indexing x[rowmask]', lambda x, idxmask: x[idxmask.bool()],
     {'x': X, 'idxmask': [1, 0, 1]}, grad=['x'])
case('masked_fill', lambda x: x.masked_fill(x < 0, -9.0), {'x': X}, grad=['x'])
case('scatter', lambda x, s, idx: x.scatter(1, idx, s),
     {'x': X, 's': [[10, 20], [30, 40], [50, 60]], 'idx': [[3, 0], [1, 2], [0, 1]]},
     grad=['x', 's'])
case('scatter a number', lambda x, idx: x.scatter(0, idx, 7.0),
     {'x': X, 'idx': [[2, 0, 1, 0]]}, grad=['x'])
case('scatter_add', lambda x, s, idx: x.scatter_add(1, idx, s),
     {'x': X, 's': [[10, 20], [30, 40], [50, 60]], 'idx': [[3, 3], [1, 2], [0, 1]]},
     grad=['x', 's'])
case('slicing x[:, 1:3] and x[-1, ::2]', lambda x: (x[:, 1:3], x[-1, ::2]), {'x': X}, grad=['x'])
case('where method', lambda x: x.where(x > 0, torch.tensor(0.5)), {'x': X}, grad=['x'])

# ---- torch.autograd.functional --------------------------------------------------------------------
AF = torch.autograd.functional
def f1(x):
    return x.sin() * x.sum()
def f2(x, y):
    return (x @ y).tanh()
def s1(x):
    return (x ** 3).sum() + x[0] * x[1]
def s2(x, y):
    return (x * y.exp()).sum() + (x ** 2).sum() * y.sum()
V3 = [0.5, -1.25, 2.0]
case('jacobian of sin(x)·Σx', lambda x: AF.jacobian(f1, x), {'x': V3})
case('jacobian of tanh(x @ y), two inputs', lambda x, y: AF.jacobian(f2, (x, y)),
     {'x': [[0.5, -1.0], [2.0, 0.25]], 'y': [[1.0, 0.5, -0.5], [0.25, -1.0, 2.0]]})
case('hessian of Σx³ + x0·x1', lambda x: AF.hessian(s1, x), {'x': V3})
case('hessian of two inputs', lambda x, y: [b for row in AF.hessian(s2, (x, y)) for b in row],
     {'x': [0.5, -1.0], 'y': [0.25, 0.75]})
case('vjp', lambda x, v: AF.vjp(f1, x, v), {'x': V3, 'v': [1.0, -2.0, 0.5]})
case('jvp', lambda x, v: AF.jvp(f1, x, v), {'x': V3, 'v': [1.0, -2.0, 0.5]})
case('jvp of two inputs', lambda x, y, vx, vy: AF.jvp(f2, (x, y), (vx, vy)),
     {'x': [[0.5, -1.0], [2.0, 0.25]], 'y': [[1.0, 0.5, -0.5], [0.25, -1.0, 2.0]],
      'vx': [[1.0, 0.0], [0.5, -1.0]], 'vy': [[0.0, 1.0, 2.0], [-1.0, 0.5, 0.25]]})

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'parity.json')
with open(path, 'w') as f:
    json.dump({'generator': f'scripts/make-parity.py, torch {torch.__version__}', 'cases': CASES},
              f, indent=None, separators=(',', ':'))
    f.write('\n')
print(f'wrote {len(CASES)} cases to {os.path.normpath(path)}')

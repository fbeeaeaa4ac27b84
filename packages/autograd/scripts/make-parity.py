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

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'parity.json')
with open(path, 'w') as f:
    json.dump({'generator': f'scripts/make-parity.py, torch {torch.__version__}', 'cases': CASES},
              f, indent=None, separators=(',', ':'))
    f.write('\n')
print(f'wrote {len(CASES)} cases to {os.path.normpath(path)}')

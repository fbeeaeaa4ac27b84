#!/usr/bin/python3
"""PyTorch (1.13) in float64: the reference for @nablajs/nn's BatchNorm1d/BatchNorm2d and
AdaptiveAvgPool2d tests.

Run from anywhere:  /usr/bin/python3 packages/nn/scripts/gen-layer-fixtures.py
It rewrites packages/nn/fixtures/layers.json (formatted with the repository's prettier).
batchNorm: each case builds one layer (its options, and its weight and bias set to the values given), then runs a
sequence of steps, each in train or eval mode: the input, the gradient fed back (gradOutput), the
output, the gradients of input, weight and bias, and the buffers after the step.
adaptiveAvgPool2d: input, output size, output, gradOutput and the input's gradient.
"""
import json
import os
import subprocess

import torch

torch.manual_seed(0)
f64 = torch.float64


def flat(t):
    return None if t is None else t.detach().reshape(-1).tolist()


def run(name, cls, c, shapes, modes, **opts):
    layer = cls(c, dtype=f64, **opts)
    init = {}
    if layer.affine:
        with torch.no_grad():
            layer.weight.copy_(torch.rand(c, dtype=f64) + 0.5)
            layer.bias.copy_(torch.randn(c, dtype=f64))
        init = {'weight': flat(layer.weight), 'bias': flat(layer.bias)}
    steps = []
    for shape, mode in zip(shapes, modes):
        layer.train(mode == 'train')
        x = (torch.randn(*shape, dtype=f64) * 2 + 0.7).requires_grad_(True)
        out = layer(x)
        g = torch.linspace(-1, 1.5, out.numel(), dtype=f64).reshape(out.shape)
        wrt = [x] + ([layer.weight, layer.bias] if layer.affine else [])
        grads = torch.autograd.grad(out, wrt, grad_outputs=g)
        buffers = {k: (v.item() if k == 'num_batches_tracked' else flat(v)) for k, v in layer.named_buffers()}
        steps.append({
            'mode': mode,
            'shape': list(shape),
            'input': flat(x),
            'gradOutput': flat(g),
            'output': flat(out),
            'grads': dict(zip(['input', 'weight', 'bias'], map(flat, grads))),
            'buffers': buffers,
        })
    cases.append({'name': name, 'layer': cls.__name__, 'numFeatures': c,
                  'opts': {'eps': layer.eps, 'momentum': layer.momentum, 'affine': layer.affine,
                           'trackRunningStats': layer.track_running_stats},
                  'init': init, 'steps': steps})


cases = []
BN1, BN2 = torch.nn.BatchNorm1d, torch.nn.BatchNorm2d
run('1d [N, C], two training steps then eval', BN1, 4, [(6, 4), (5, 4), (3, 4)], ['train', 'train', 'eval'])
run('1d [N, C, L], momentum 0.3, eps 1e-3', BN1, 3, [(4, 3, 5), (2, 3, 7), (3, 3, 2)], ['train', 'train', 'eval'],
    momentum=0.3, eps=1e-3)
run('2d, two training steps then eval', BN2, 3, [(2, 3, 4, 5), (3, 3, 2, 3), (2, 3, 3, 3)], ['train', 'train', 'eval'])
run('2d, momentum None (cumulative average)', BN2, 2, [(2, 2, 3, 3), (3, 2, 2, 2), (1, 2, 4, 1), (2, 2, 2, 2)],
    ['train', 'train', 'train', 'eval'], momentum=None)
run('2d, affine false', BN2, 3, [(2, 3, 3, 2), (2, 3, 2, 2)], ['train', 'eval'], affine=False)
run('2d, no running stats (batch statistics in eval too)', BN2, 2, [(3, 2, 2, 3), (2, 2, 3, 2)], ['train', 'eval'],
    track_running_stats=False)
run('2d, eval before any training (running stats 0 and 1)', BN2, 2, [(2, 2, 2, 2)], ['eval'])

pools = []
for shape, size in [((2, 3, 7, 5), (3, 2)), ((1, 2, 5, 5), 7), ((2, 1, 6, 6), (None, 4)), ((3, 4, 4), 1),
                    ((1, 1, 10, 9), (4, 5))]:
    x = torch.randn(*shape, dtype=f64, requires_grad=True)
    out = torch.nn.functional.adaptive_avg_pool2d(x, size)
    g = torch.linspace(-1, 1.5, out.numel(), dtype=f64).reshape(out.shape)
    (gx,) = torch.autograd.grad(out, [x], grad_outputs=g)
    pools.append({'shape': list(shape), 'outputSize': size if isinstance(size, int) else list(size),
                  'input': flat(x), 'output': flat(out), 'outShape': list(out.shape),
                  'gradOutput': flat(g), 'grad': flat(gx)})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'layers.json')
with open(out, 'w') as f:
    json.dump({'torch': torch.__version__, 'batchNorm': cases, 'adaptiveAvgPool2d': pools}, f)
subprocess.run(['npx', 'prettier', '--write', out], check=True, cwd=os.path.dirname(out))
print(f'{len(cases)} batch norm and {len(pools)} adaptive pooling cases -> {os.path.normpath(out)}')

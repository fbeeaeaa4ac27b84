#!/usr/bin/python3
"""Reference values for @nablajs/nn's convolution and pooling tests, computed by PyTorch in float64.

Run from anywhere:  /usr/bin/python3 packages/nn/scripts/make-conv.py
It rewrites packages/nn/fixtures/conv.json (formatted with the repository's prettier). Each case
names the Nabla function (conv1d, conv2d, convTranspose2d, maxPool1d/2d, avgPool1d/2d), its tensor
inputs (flat row-major data, shape), its options in Nabla's camelCase (for pooling, kernelSize
too), PyTorch's output (and argmax, for max pooling) and the gradient of every input, of
sum(output · gradOutput).
"""
import json
import warnings
import os
import subprocess

import torch
import torch.nn.functional as F

torch.manual_seed(1613)
# 'same' with an even kernel: PyTorch pads a copy of the input, which is what we compare against
warnings.filterwarnings('ignore', message="Using padding='same'")
f64 = torch.float64
cases = []


def enc(x):
    dtype = 'float64' if x.is_floating_point() else 'int32'
    return {'data': x.detach().reshape(-1).tolist(), 'shape': list(x.shape), 'dtype': dtype}


def case(name, fn, inputs, call, opts):
    """inputs: name -> float64 tensor (all require grad); call(**inputs) -> output or (output, indices)."""
    inputs = {k: v.detach().clone().requires_grad_(True) for k, v in inputs.items()}
    res = call(**inputs)
    out, indices = res if isinstance(res, tuple) else (res, None)
    gout = torch.linspace(0.5, 1.5, out.numel(), dtype=f64).reshape(out.shape)
    gs = torch.autograd.grad(out, list(inputs.values()), grad_outputs=gout)
    c = {
        'name': name,
        'fn': fn,
        'inputs': {k: enc(v) for k, v in inputs.items()},
        'opts': opts,
        'output': enc(out),
        'gradOutput': gout.reshape(-1).tolist(),
        'grads': {k: g.reshape(-1).tolist() for k, g in zip(inputs, gs)},
    }
    if indices is not None:
        c['indices'] = enc(indices.to(torch.int32))
    cases.append(c)


def rn(*shape):
    return torch.randn(*shape, dtype=f64)


def conv(name, fn, x, w, b, torch_kw, opts):
    call = {'conv1d': F.conv1d, 'conv2d': F.conv2d, 'convTranspose2d': F.conv_transpose2d}[fn]
    inputs = {'input': x, 'weight': w, **({'bias': b} if b is not None else {})}
    case(name, fn, inputs, lambda input, weight, bias=None: call(input, weight, bias, **torch_kw), opts)


# ---- conv1d -----------------------------------------------------------------------------------
conv('conv1d plain', 'conv1d', rn(2, 3, 10), rn(4, 3, 3), rn(4), {}, {})
conv('conv1d stride 2, padding 1, dilation 2', 'conv1d', rn(2, 3, 11), rn(4, 3, 3), rn(4),
     dict(stride=2, padding=1, dilation=2), {'stride': 2, 'padding': 1, 'dilation': 2})
conv('conv1d groups 3', 'conv1d', rn(2, 6, 9), rn(6, 2, 3), rn(6), dict(groups=3), {'groups': 3})
conv("conv1d padding 'same', even kernel (asymmetric)", 'conv1d', rn(1, 2, 8), rn(3, 2, 4), rn(3),
     dict(padding='same'), {'padding': 'same'})
conv("conv1d padding 'valid', no bias", 'conv1d', rn(2, 2, 7), rn(3, 2, 3), None,
     dict(padding='valid'), {'padding': 'valid'})

# ---- conv2d -----------------------------------------------------------------------------------
conv('conv2d plain 3×3', 'conv2d', rn(1, 3, 6, 7), rn(4, 3, 3, 3), rn(4), {}, {})
conv('conv2d stride [2,1], padding [1,2], dilation [1,2]', 'conv2d', rn(2, 3, 9, 8), rn(4, 3, 3, 3), rn(4),
     dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2)), {'stride': [2, 1], 'padding': [1, 2], 'dilation': [1, 2]})
conv('conv2d groups 2, non-square kernel', 'conv2d', rn(1, 4, 6, 7), rn(6, 2, 3, 2), rn(6),
     dict(groups=2), {'groups': 2})
conv('conv2d depthwise (groups = in), stride 2, padding 1', 'conv2d', rn(1, 3, 7, 7), rn(6, 1, 3, 3), rn(6),
     dict(groups=3, stride=2, padding=1), {'groups': 3, 'stride': 2, 'padding': 1})
conv("conv2d padding 'same', kernel [4,3], dilation [1,2]", 'conv2d', rn(1, 2, 6, 7), rn(3, 2, 4, 3), rn(3),
     dict(padding='same', dilation=(1, 2)), {'padding': 'same', 'dilation': [1, 2]})
conv("conv2d padding 'valid', no bias, stride 3", 'conv2d', rn(1, 2, 8, 9), rn(3, 2, 2, 2), None,
     dict(padding='valid', stride=3), {'padding': 'valid', 'stride': 3})
conv('conv2d LeNet first layer: 5×5, padding 2', 'conv2d', rn(1, 1, 12, 12), rn(6, 1, 5, 5), rn(6),
     dict(padding=2), {'padding': 2})
conv('conv2d unbatched [C,H,W]', 'conv2d', rn(3, 5, 6), rn(2, 3, 3, 3), rn(2), dict(padding=1), {'padding': 1})

# ---- convTranspose2d --------------------------------------------------------------------------
conv('convTranspose2d stride 2, padding 1, outputPadding 1', 'convTranspose2d', rn(2, 4, 4, 5), rn(4, 3, 3, 3), rn(3),
     dict(stride=2, padding=1, output_padding=1), {'stride': 2, 'padding': 1, 'outputPadding': 1})
conv('convTranspose2d groups 2, kernel [2,3]', 'convTranspose2d', rn(1, 4, 3, 4), rn(4, 3, 2, 3), rn(6),
     dict(groups=2), {'groups': 2})
conv('convTranspose2d dilation 2, stride [1,2], no bias', 'convTranspose2d', rn(1, 2, 4, 3), rn(2, 3, 3, 3), None,
     dict(dilation=2, stride=(1, 2)), {'dilation': 2, 'stride': [1, 2]})

# ---- pooling ----------------------------------------------------------------------------------


def pool(name, fn, x, torch_call, opts):
    case(name, fn, {'input': x}, lambda input: torch_call(input), opts)


x = rn(1, 3, 6, 8)
pool('maxPool2d 2×2', 'maxPool2d', x, lambda i: F.max_pool2d(i, 2, return_indices=True), {'kernelSize': 2})
pool('maxPool2d 3×3 stride 2 padding 1', 'maxPool2d', rn(1, 2, 7, 9),
     lambda i: F.max_pool2d(i, 3, stride=2, padding=1, return_indices=True), {'kernelSize': 3, 'stride': 2, 'padding': 1})
pool('maxPool2d overlapping [3,2] stride 1, padding 1, dilation [2,1]', 'maxPool2d', rn(1, 3, 6, 5),
     lambda i: F.max_pool2d(i, (3, 2), stride=1, padding=1, dilation=(2, 1), return_indices=True),
     {'kernelSize': [3, 2], 'stride': 1, 'padding': 1, 'dilation': [2, 1]})
ties = torch.randint(-1, 2, (1, 2, 6, 6)).to(f64)
pool('maxPool2d with ties (first maximum wins, overlapping windows)', 'maxPool2d', ties,
     lambda i: F.max_pool2d(i, 3, stride=1, return_indices=True), {'kernelSize': 3, 'stride': 1})
pool('maxPool1d k3 stride 2 padding 1', 'maxPool1d', rn(2, 3, 9),
     lambda i: F.max_pool1d(i, 3, stride=2, padding=1, return_indices=True), {'kernelSize': 3, 'stride': 2, 'padding': 1})
pool('avgPool2d 2×2', 'avgPool2d', x, lambda i: F.avg_pool2d(i, 2), {'kernelSize': 2})
pool('avgPool2d 3×3 stride 2 padding 1 (padding counted)', 'avgPool2d', rn(1, 2, 7, 9),
     lambda i: F.avg_pool2d(i, 3, stride=2, padding=1), {'kernelSize': 3, 'stride': 2, 'padding': 1})
pool('avgPool2d countIncludePad false, kernel [3,2]', 'avgPool2d', rn(1, 2, 5, 6),
     lambda i: F.avg_pool2d(i, (3, 2), stride=(2, 1), padding=1, count_include_pad=False),
     {'kernelSize': [3, 2], 'stride': [2, 1], 'padding': 1, 'countIncludePad': False})
pool('avgPool2d divisorOverride 3', 'avgPool2d', rn(1, 2, 4, 6),
     lambda i: F.avg_pool2d(i, 2, padding=1, divisor_override=3), {'kernelSize': 2, 'padding': 1, 'divisorOverride': 3})
pool('avgPool1d k4 stride 3 padding 2', 'avgPool1d', rn(2, 2, 10),
     lambda i: F.avg_pool1d(i, 4, stride=3, padding=2), {'kernelSize': 4, 'stride': 3, 'padding': 2})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'conv.json')
with open(out, 'w') as f:
    json.dump({'generator': 'packages/nn/scripts/make-conv.py', 'torch': torch.__version__, 'cases': cases}, f, indent=1)
    f.write('\n')
# the repository's formatter, so regenerating gives a clean diff
prettier = os.path.join(os.path.dirname(out), '..', '..', '..', 'node_modules', '.bin', 'prettier')
if os.path.exists(prettier):
    subprocess.run([prettier, '--write', out], check=True, stdout=subprocess.DEVNULL)
print(f'{len(cases)} cases -> {os.path.normpath(out)}')

#!/usr/bin/python3
"""PyTorch CPU timings of LeNet's convolutions and poolings, for conv.bench.ts.

    /usr/bin/python3 torch_conv.py --threads 1   > one JSON line on stdout

Each case (the same shapes as conv.bench.ts) is timed forward, and forward + backward: the median
and the best of several samples of back-to-back calls after a warm-up.
"""
import json
import os
import sys

sys.dont_write_bytecode = True  # runs from the source tree: leave no __pycache__ beside it
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from torch_timing import start, time_it  # noqa: E402

import torch
import torch.nn.functional as F

threads = start()

results = {}
for name, xs, ws, pad, need_x in [
    ('conv1', (64, 1, 28, 28), (6, 1, 5, 5), 2, False),
    ('conv2', (64, 6, 14, 14), (16, 6, 5, 5), 0, True),
]:
    x = torch.randn(*xs).requires_grad_(need_x)
    w = (torch.randn(*ws) * 0.1).requires_grad_()
    b = torch.randn(ws[0]).requires_grad_()

    def fwd():
        with torch.no_grad():
            F.conv2d(x, w, b, padding=pad)

    def fwd_bwd():
        y = F.conv2d(x, w, b, padding=pad)
        y.backward(y.detach())

    (f, fb), (b, bb) = time_it(fwd, budget=3.0), time_it(fwd_bwd, budget=3.0)
    results[name] = {'forwardMs': f, 'forwardBackwardMs': b, 'bestForwardMs': fb, 'bestForwardBackwardMs': bb}
for name, xs in [('pool1', (64, 6, 28, 28)), ('pool2', (64, 16, 10, 10))]:
    x = torch.randn(*xs).requires_grad_()

    def fwd():
        with torch.no_grad():
            F.max_pool2d(x, 2)

    def fwd_bwd():
        y = F.max_pool2d(x, 2)
        y.backward(y.detach())

    (f, fb), (b, bb) = time_it(fwd, budget=3.0), time_it(fwd_bwd, budget=3.0)
    results[name] = {'forwardMs': f, 'forwardBackwardMs': b, 'bestForwardMs': fb, 'bestForwardBackwardMs': bb}
print(json.dumps({'torch': torch.__version__, 'threads': threads, 'results': results}))

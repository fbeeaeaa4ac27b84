#!/usr/bin/python3
"""PyTorch CPU float32 matmul timings for matmul.bench.ts.

    /usr/bin/python3 torch_matmul.py --threads 1 < cases.json   > one JSON line on stdout

cases.json is a list of {"M", "K", "N", "layout"}; layout is "A·B", "A·Bᵀ" (B stored [N, K]) or
"Aᵀ·B" (A stored [K, M]), the stored-transposed operand passed as a transposed view, as PyTorch's
autograd does in training. Each case: the median and the best of several samples of back-to-back
torch.mm calls into a preallocated result, after a warm-up (the protocol of lib.ts's timeIt).
"""
import ctypes
import json
import os
import sys

sys.dont_write_bytecode = True  # runs from the source tree: leave no __pycache__ beside it
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from torch_timing import start, time_it  # noqa: E402

import torch

threads = start()


def openblas_core():
    """The kernel core OpenBLAS picked, as torch's BLAS (libblas.so.3) sees it."""
    try:
        core = ctypes.CDLL('libblas.so.3').openblas_get_corename
        core.restype = ctypes.c_char_p
        return core().decode()
    except (OSError, AttributeError):
        return 'not OpenBLAS'


results = []
for c in json.load(sys.stdin):
    M, K, N, layout = c['M'], c['K'], c['N'], c['layout']
    a = torch.rand(K, M).t() if layout == 'Aᵀ·B' else torch.rand(M, K)
    b = torch.rand(N, K).t() if layout == 'A·Bᵀ' else torch.rand(K, N)
    a, b = a - 0.5, b - 0.5
    out = torch.empty(M, N)
    median, best = time_it(lambda: torch.mm(a, b, out=out))
    results.append({'medianMs': median, 'bestMs': best})
print(json.dumps({
    'torch': torch.__version__,
    'threads': threads,
    'openblasCore': openblas_core(),
    'results': results,
}))

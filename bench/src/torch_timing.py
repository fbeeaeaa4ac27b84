"""The timing protocol of the PyTorch peers of bench/ (lib.ts's timeIt, in Python): a warm-up of at
least 3 calls and 0.1 s, then samples of back-to-back calls (each at least `min_sample` seconds),
as many as `budget` allows up to `samples`; returns the median and the best, in milliseconds a call.
Imported by matmul/torch_matmul.py and conv/torch_conv.py, which call `start()` first."""
import argparse
import statistics
import time

import torch


def start():
    """The peers' command line (`--threads N`), applied: torch's threads set, its seed 0. Returns
    the thread count."""
    parser = argparse.ArgumentParser()
    parser.add_argument('--threads', type=int, default=1)
    threads = parser.parse_args().threads
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    return threads


def time_it(fn, min_sample=0.002, samples=31, budget=2.0):
    t0 = time.perf_counter()
    calls = 0
    while calls < 3 or time.perf_counter() - t0 < 0.1:
        fn()
        calls += 1
    per = (time.perf_counter() - t0) / calls
    reps = max(1, int(min_sample / per + 0.999))
    count = max(3, min(samples, int(budget / (per * reps))))
    out = []
    for _ in range(count):
        s = time.perf_counter()
        for _ in range(reps):
            fn()
        out.append((time.perf_counter() - s) / reps * 1000)
    return statistics.median(out), min(out)

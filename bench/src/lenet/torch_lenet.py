"""PyTorch (CPU) on workload C1, LeNet-5, following the protocol of the TypeScript peers (../mnist/protocol.ts).

Run by lenet.bench.ts with Debian's /usr/bin/python3 (python3-torch 1.13, BLAS = OpenBLAS):

    python3 torch_lenet.py --data DIR --threads 1 [--epochs 3]

DIR holds the four MNIST IDX files. Prints one line "@@mnist-result {json}" (a Measurement, see
../mnist/workloads.ts); progress goes to stderr.
"""

import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mnist"))
from torch_mnist import RESULT_MARKER, WARMUP_BATCHES, accuracy, load, openblas_facts  # noqa: E402

BATCH, LR = 64, 1e-3


def build(seed):
    torch.manual_seed(seed)
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )
    return model, torch.optim.Adam(model.parameters(), lr=LR)


def train(model, opt, x, y, max_batches=None):
    for b, start in enumerate(range(0, x.shape[0], BATCH)):
        if max_batches is not None and b >= max_batches:
            break
        loss = F.cross_entropy(model(x[start : start + BATCH]), y[start : start + BATCH])
        opt.zero_grad()
        loss.backward()
        opt.step()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--epochs", type=int, default=3)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    peer = f"torch-{args.threads}t"

    x, y = load(args.data, "train")
    xt, yt = load(args.data, "t10k")
    x, xt = x.reshape(-1, 1, 28, 28), xt.reshape(-1, 1, 28, 28)
    model, opt = build(1000)
    start = time.perf_counter()
    train(model, opt, x, y, WARMUP_BATCHES)
    warmup = time.perf_counter() - start

    seconds, accuracies = [], []
    for e in range(args.epochs):
        model, opt = build(e + 1)
        start = time.perf_counter()
        train(model, opt, x, y)
        seconds.append(time.perf_counter() - start)
        accuracies.append(accuracy(model, xt, yt))
        print(f"  {peer} C1 epoch {e + 1}/{args.epochs}: {seconds[-1]:.2f} s, "
              f"test accuracy {accuracies[-1] * 100:.2f} %", file=sys.stderr, flush=True)
    info = {"torch": torch.__version__, "python": sys.version.split()[0],
            "threads": torch.get_num_threads(), **openblas_facts()}
    print(RESULT_MARKER + json.dumps({"peer": peer, "workload": "C1", "epochSeconds": seconds,
                                      "accuracies": accuracies, "warmupSeconds": warmup, "info": info}),
          flush=True)


if __name__ == "__main__":
    main()

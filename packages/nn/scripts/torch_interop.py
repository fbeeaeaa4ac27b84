#!/usr/bin/python3
"""The PyTorch side of src/interop.test.ts: a Nabla Sequential's state dict in PyTorch and back.

    /usr/bin/python3 torch_interop.py DIR

DIR holds spec.json (the layers: [[torch.nn class name, positional args, keyword args], ...]),
nabla.safetensors (the Nabla model's state dict) and input.safetensors (x, and x2 for a second
training batch). This script
  1. builds the same model in PyTorch and loads nabla.safetensors into it, strictly by key, and
     computes its evaluation output on x;
  2. builds a fresh model (seed 1), runs two training batches (x2, then x) so that the batch-norm
     running statistics move, writes its state dict to torch.safetensors and computes its
     evaluation output on x;
and prints one JSON object: the state dict's keys and both outputs.
PyTorch 1.13 has no safetensors package: the format is parsed and written with struct and json.
"""
import json
import os
import struct
import sys

import torch

DT = {'F32': torch.float32, 'F64': torch.float64, 'I32': torch.int32, 'I64': torch.int64}


def read(path):
    raw = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop('__metadata__', None)
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        b, e = info['data_offsets']
        out[name] = torch.frombuffer(bytearray(data[b:e]), dtype=DT[info['dtype']]).reshape(info['shape'])
    return out


def write(path, tensors):
    header, blobs, at = {}, [], 0
    for name, t in tensors.items():
        raw = t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
        dtype = [k for k, v in DT.items() if v == t.dtype][0]
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [at, at + len(raw)]}
        blobs.append(raw)
        at += len(raw)
    h = json.dumps(header).encode()
    h += b' ' * (-len(h) % 8)
    open(path, 'wb').write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def build(spec):
    return torch.nn.Sequential(*[getattr(torch.nn, kind)(*args, **kwargs) for kind, args, kwargs in spec])


folder = sys.argv[1]
spec = json.load(open(os.path.join(folder, 'spec.json')))
inputs = read(os.path.join(folder, 'input.safetensors'))
x, x2 = inputs['x'], inputs['x2']

ours = build(spec)
ours.load_state_dict(read(os.path.join(folder, 'nabla.safetensors')), strict=True)
with torch.no_grad():
    from_nabla = ours.eval()(x)

torch.manual_seed(1)
theirs = build(spec).train()
with torch.no_grad():
    theirs(x2)
    theirs(x)
    from_torch = theirs.eval()(x)
write(os.path.join(folder, 'torch.safetensors'), theirs.state_dict())

print(json.dumps({
    'keys': list(ours.state_dict().keys()),
    'fromNabla': from_nabla.reshape(-1).tolist(),
    'fromTorch': from_torch.reshape(-1).tolist(),
    'batchesTracked': {k: int(v) for k, v in theirs.state_dict().items() if k.endswith('num_batches_tracked')},
}))

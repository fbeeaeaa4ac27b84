#!/usr/bin/python3
"""Reference values for @nablajs/nn's sequence layers, computed by PyTorch 1.13 in float64.

Run from anywhere:  /usr/bin/python3 packages/nn/scripts/make-seq.py
It rewrites packages/nn/fixtures/seq.json, which src/seq-reference.test.ts replays, and
packages/nn/fixtures/interop/*.safetensors + interop.json, which src/seq-interop.test.ts loads.

seq.json: one case per call of a layer or function. A case has the Nabla class or function to
build (`kind`), its constructor arguments (`args`, `options`: camelCase), its parameters (`params`,
the PyTorch state dict; every parameter is redrawn from N(0, 0.5²) so that zero biases and unit
scales do not hide a mistake), the call's inputs in order (a float input may require grad; bool
inputs are masks, as 0/1; int32 inputs are indices), the call's options (`call`; an input named as
{"$": name}), every output, the gradient fed to each (linspace(0.5, 1.5) of its shape; null for an
output left out of the loss) and the gradients of the parameters and of the inputs that require
grad, i.e. of Σ output·gradOutput.

What PyTorch 1.13 lacks is written out here from PyTorch 2's documentation, in float64 torch ops:
RMSNorm (2.4: x/√(mean(x²) + eps)·weight, eps = finfo(dtype).eps by default) and
scaled_dot_product_attention (2.0's reference: softmax(q·kᵀ·scale + bias)·v, a bool mask True
where attending, is_causal the top-left lower triangle).

interop: PyTorch modules in float32 (their default initialization under a fixed seed), their state
dicts written as safetensors by a writer of the format's few lines below, one input each and
PyTorch's float32 output, for loading with load() and loadStateDict().
"""
import json
import math
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

f64 = torch.float64
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', 'fixtures')
cases = []


def short(v):
    """12 significant digits: within 1e-12 relative (the tests ask 1e-10), half the file's size."""
    if v != v or v in (math.inf, -math.inf):
        return str(v).replace('inf', 'Infinity').replace('nan', 'NaN')  # JSON has no inf: Number() reads these
    return float('%.12g' % v)


def flat(x):
    return [short(v) for v in x.detach().reshape(-1).tolist()]


def enc(x):
    x = x.detach()
    if not x.is_floating_point():
        dtype = 'bool' if x.dtype == torch.bool else 'int32'
        return {'data': x.to(torch.int64).reshape(-1).tolist(), 'shape': list(x.shape), 'dtype': dtype}
    return {'data': flat(x), 'shape': list(x.shape), 'dtype': 'float64'}


def round4(x):
    """Inputs and parameters with 4 decimals, so that they are short in the file and exact."""
    return torch.round(x * 1e4) / 1e4


def gout_for(y):
    return torch.linspace(0.5, 1.5, y.numel(), dtype=f64).reshape(y.shape)


def randomize(module, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(round4(torch.randn(p.shape, generator=g, dtype=f64) * 0.5))


def record(name, kind, args, options, module, inputs, call, forward, loss_outputs=None):
    """inputs: list of (name, tensor, requires_grad); forward(*tensors) -> list of outputs."""
    ts = []
    for _, t, rg in inputs:
        t = t.detach().clone()
        if rg:
            t.requires_grad_(True)
        ts.append(t)
    outs = forward(*ts)
    use = loss_outputs if loss_outputs is not None else [True] * len(outs)
    gouts = [gout_for(y) if u else None for y, u in zip(outs, use)]
    wrt_inputs = [(n, t) for (n, _, rg), t in zip(inputs, ts) if rg]
    params = list(module.named_parameters()) if module is not None else []
    targets = [t for _, t in wrt_inputs] + [p for _, p in params]
    total = sum((y * g).sum() for y, g in zip(outs, gouts) if g is not None)
    grads = torch.autograd.grad(total, targets, allow_unused=True) if targets else []
    gi = {n: flat(g) for (n, _), g in zip(wrt_inputs, grads[:len(wrt_inputs)])}
    gp = {n: flat(g if g is not None else torch.zeros_like(p)) for (n, p), g in zip(params, grads[len(wrt_inputs):])}
    case = {
        'name': name,
        'kind': kind,
        'args': args,
        'options': options,
        'params': {k: enc(v) for k, v in (module.state_dict().items() if module is not None else [])},
        'inputs': [{'name': n, **enc(t), 'requiresGrad': rg} for (n, t, rg) in inputs],
        'call': call,
        'outputs': [enc(y) for y in outs],
        'gradOutputs': [None if g is None else flat(g) for g in gouts],
        'grads': {'inputs': gi, 'params': gp},
    }
    cases.append(case)


torch.manual_seed(17)


def rn(*shape, scale=1.0):
    return round4(torch.randn(*shape, dtype=f64) * scale)


# ---- activations --------------------------------------------------------------------------------
xa = torch.cat([rn(20, scale=3), torch.tensor([0.0, -0.0, 1e-8, -1e-8, 10, -10, 25, -30, 0.5, 19.99, 20.01], dtype=f64)])
for fn, opts, f in [
    ('gelu', {}, lambda x: F.gelu(x)),
    ('gelu', {'approximate': 'none'}, lambda x: F.gelu(x, approximate='none')),
    ('gelu', {'approximate': 'tanh'}, lambda x: F.gelu(x, approximate='tanh')),
    ('silu', {}, F.silu),
    ('elu', {}, F.elu),
    ('elu', {'alpha': 0.5}, lambda x: F.elu(x, alpha=0.5)),
    ('softplus', {}, F.softplus),
    ('softplus', {'beta': 2, 'threshold': 1}, lambda x: F.softplus(x, beta=2, threshold=1)),
    ('mish', {}, F.mish),
]:
    record(f'{fn} {json.dumps(opts)}', fn, [], opts, None, [('x', xa, True)], {}, lambda x, f=f: [f(x)])

# ---- Embedding ----------------------------------------------------------------------------------
idx = torch.tensor([[1, 2, 1], [9, 0, 3]])
for name, opts, kw in [
    ('Embedding', {}, {}),
    ('Embedding paddingIdx', {'paddingIdx': 2}, {'padding_idx': 2}),
    ('Embedding paddingIdx -1', {'paddingIdx': -1}, {'padding_idx': -1}),
]:
    m = nn.Embedding(10, 4, dtype=f64, **kw)
    randomize(m, 1)
    i2 = idx if 'paddingIdx' not in opts else torch.tensor([[1, 2, 9], [9, 0, 2]])
    record(name, 'Embedding', [10, 4], opts, m, [('indices', i2, False)], {}, lambda i, m=m: [m(i)])
for max_norm, p in [(1.0, 2.0), (0.5, 1.0)]:
    m = nn.Embedding(6, 3, dtype=f64, max_norm=max_norm, norm_type=p)
    randomize(m, 2)
    before = {k: enc(v.clone()) for k, v in m.state_dict().items()}
    i2 = torch.tensor([[0, 4, 4], [5, 1, 0]])
    record(f'Embedding maxNorm {max_norm} p {p}', 'Embedding', [6, 3], {'maxNorm': max_norm, 'normType': p}, m,
           [('indices', i2, False)], {}, lambda i, m=m: [m(i)])
    # the call renormalized the rows it looked up, in place
    cases[-1]['paramsAfter'] = {k: enc(v) for k, v in m.state_dict().items()}
    cases[-1]['params'] = before

# ---- LayerNorm, RMSNorm -------------------------------------------------------------------------
xl = rn(3, 4, 5)
for name, shape, kw, opts in [
    ('LayerNorm [5]', [5], {}, {}),
    ('LayerNorm [4, 5] eps', [4, 5], {'eps': 1e-3}, {'eps': 1e-3}),
    ('LayerNorm no affine', [5], {'elementwise_affine': False}, {'elementwiseAffine': False}),
]:
    m = nn.LayerNorm(shape, dtype=f64, **kw)
    randomize(m, 3)
    record(name, 'LayerNorm', [shape], opts, m, [('x', xl, True)], {}, lambda x, m=m: [m(x)])


class RMSNorm(nn.Module):
    """PyTorch 2.4's nn.RMSNorm, written out: x/√(mean(x², last axes) + eps)·weight."""

    def __init__(self, shape, eps=None, affine=True):
        super().__init__()
        self.shape, self.eps = shape, eps
        if affine:
            self.weight = nn.Parameter(torch.ones(shape, dtype=f64))

    def forward(self, x):
        dims = tuple(range(-len(self.shape), 0))
        eps = torch.finfo(x.dtype).eps if self.eps is None else self.eps
        y = x * torch.rsqrt(x.pow(2).mean(dims, keepdim=True) + eps)
        return y * self.weight if hasattr(self, 'weight') else y


for name, shape, eps, affine, opts in [
    ('RMSNorm [5]', [5], None, True, {}),
    ('RMSNorm [4, 5] eps', [4, 5], 1e-2, True, {'eps': 1e-2}),
    ('RMSNorm no affine', [5], None, False, {'elementwiseAffine': False}),
]:
    m = RMSNorm(shape, eps, affine)
    randomize(m, 4)
    x = xl.clone()
    x[0, 0] = 1e-9  # a tiny row: eps matters
    record(name, 'RMSNorm', [shape], opts, m, [('x', x, True)], {}, lambda x, m=m: [m(x)])


# ---- scaled_dot_product_attention (PyTorch 2's reference, written out) ---------------------------
def sdpa(q, k, v, attn_mask=None, is_causal=False, scale=None):
    L, S = q.size(-2), k.size(-2)
    s = 1 / math.sqrt(q.size(-1)) if scale is None else scale
    bias = torch.zeros(L, S, dtype=q.dtype)
    if is_causal:
        bias = bias.masked_fill(torch.ones(L, S, dtype=torch.bool).tril(0).logical_not(), float('-inf'))
    if attn_mask is not None:
        bias = bias.masked_fill(attn_mask.logical_not(), float('-inf')) if attn_mask.dtype == torch.bool \
            else attn_mask + bias
    w = torch.softmax(q @ k.transpose(-2, -1) * s + bias, dim=-1)
    return w @ v


q, k, v = rn(2, 3, 4, 8), rn(2, 3, 6, 8), rn(2, 3, 6, 5)
bool_mask = torch.rand(4, 6) > 0.4
bool_mask[:, 0] = True  # no row fully masked: PyTorch's math path gives NaN there
float_mask = rn(2, 1, 4, 6)
float_mask[0, 0, 1, 2] = float('-inf')
for name, call, kw, extra in [
    ('sdpa', {}, {}, []),
    ('sdpa scale', {'scale': 0.3}, {'scale': 0.3}, []),
    ('sdpa causal', {'isCausal': True}, {'is_causal': True}, []),
    ('sdpa bool mask', {'attnMask': {'$': 'mask'}}, {}, [('mask', bool_mask, False)]),
    ('sdpa float mask', {'attnMask': {'$': 'mask'}}, {}, [('mask', float_mask, False)]),
]:
    def f(q, k, v, *m, kw=kw):
        return [sdpa(q, k, v, attn_mask=m[0] if m else None, **kw)]
    record(name, 'scaledDotProductAttention', [], {}, None,
           [('q', q, True), ('k', k, True), ('v', v, True)] + extra, call, f)

# ---- MultiheadAttention ---------------------------------------------------------------------------
E, Hh, L, S, N = 8, 2, 4, 5, 2


def mha_case(name, opts, kw, inputs, call, torch_call):
    m = nn.MultiheadAttention(E, Hh, dtype=f64, **kw)
    randomize(m, 5)
    record(name, 'MultiheadAttention', [E, Hh], opts, m, inputs, call,
           lambda *ts, m=m: [y for y in torch_call(m, *ts) if y is not None])


xs = rn(L, N, E)
mha_case('MHA self-attention', {}, {}, [('x', xs, True)], {'self': True},
         lambda m, x: m(x, x, x))
mha_case('MHA cross-attention, weights per head', {}, {},
         [('q', rn(L, N, E), True), ('k', rn(S, N, E), True), ('v', rn(S, N, E), True)],
         {'averageAttnWeights': False}, lambda m, q, k, v: m(q, k, v, average_attn_weights=False))
pad = torch.zeros(N, S, dtype=torch.bool)
pad[0, 3:] = True
pad[1, 0] = True
mha_case('MHA batchFirst, keyPaddingMask, float attnMask', {'batchFirst': True}, {'batch_first': True},
         [('q', rn(N, L, E), True), ('k', rn(N, S, E), True), ('v', rn(N, S, E), True),
          ('pad', pad, False), ('mask', rn(L, S), False)],
         {'keyPaddingMask': {'$': 'pad'}, 'attnMask': {'$': 'mask'}},
         lambda m, q, k, v, pad, mask: m(q, k, v, key_padding_mask=pad, attn_mask=mask))
m3 = torch.rand(N * Hh, L, S) > 0.7
m3[:, :, 1] = False  # never a fully masked row
mha_case('MHA bool 3-D attnMask, no bias, no weights', {'bias': False}, {'bias': False},
         [('q', rn(L, N, E), True), ('k', rn(S, N, E), True), ('v', rn(S, N, E), True), ('mask', m3, False)],
         {'attnMask': {'$': 'mask'}, 'needWeights': False},
         lambda m, q, k, v, mask: m(q, k, v, attn_mask=mask, need_weights=False))
mha_case('MHA unbatched', {}, {}, [('q', rn(L, E), True), ('k', rn(S, E), True), ('v', rn(S, E), True)],
         {}, lambda m, q, k, v: m(q, k, v))

# ---- Transformer layers ---------------------------------------------------------------------------
D, FF, T = 8, 16, 5
causal = torch.triu(torch.full((T, T), float('-inf'), dtype=f64), 1)
src_pad = torch.zeros(N, T, dtype=torch.bool)
src_pad[1, 3:] = True
for name, opts, kw, masks in [
    ('TransformerEncoderLayer post-norm relu', {}, {}, False),
    ('TransformerEncoderLayer pre-norm gelu, batchFirst, masks', {'normFirst': True, 'activation': 'gelu', 'batchFirst': True},
     {'norm_first': True, 'activation': 'gelu', 'batch_first': True}, True),
    ('TransformerEncoderLayer post-norm, causal mask', {'layerNormEps': 1e-3}, {'layer_norm_eps': 1e-3}, 'causal'),
]:
    m = nn.TransformerEncoderLayer(D, 2, dim_feedforward=FF, dropout=0.0, dtype=f64, **kw)
    randomize(m, 6)
    bf = kw.get('batch_first', False)
    src = rn(N, T, D) if bf else rn(T, N, D)
    inputs = [('src', src, True)]
    call = {}
    if masks:
        inputs.append(('mask', causal, False))
        call['srcMask'] = {'$': 'mask'}
    if masks is True:
        inputs.append(('pad', src_pad, False))
        call['srcKeyPaddingMask'] = {'$': 'pad'}
    record(name, 'TransformerEncoderLayer', [D, 2], {'dimFeedforward': FF, 'dropout': 0, **opts}, m, inputs, call,
           lambda src, *ms, m=m: [m(src, *ms)])

for name, opts, kw in [
    ('TransformerDecoderLayer post-norm', {}, {}),
    ('TransformerDecoderLayer pre-norm gelu batchFirst', {'normFirst': True, 'activation': 'gelu', 'batchFirst': True},
     {'norm_first': True, 'activation': 'gelu', 'batch_first': True}),
]:
    m = nn.TransformerDecoderLayer(D, 2, dim_feedforward=FF, dropout=0.0, dtype=f64, **kw)
    randomize(m, 7)
    bf = kw.get('batch_first', False)
    tgt, mem = (rn(N, T, D), rn(N, S, D)) if bf else (rn(T, N, D), rn(S, N, D))
    mem_pad = torch.zeros(N, S, dtype=torch.bool)
    mem_pad[0, 4] = True
    record(name, 'TransformerDecoderLayer', [D, 2], {'dimFeedforward': FF, 'dropout': 0, **opts}, m,
           [('tgt', tgt, True), ('memory', mem, True), ('mask', causal, False), ('pad', mem_pad, False)],
           {'tgtMask': {'$': 'mask'}, 'memoryKeyPaddingMask': {'$': 'pad'}},
           lambda t, mm, mask, pad, m=m: [m(t, mm, tgt_mask=mask, memory_key_padding_mask=pad)])

layer = nn.TransformerEncoderLayer(D, 2, dim_feedforward=FF, dropout=0.0, dtype=f64)
m = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(D, dtype=f64), enable_nested_tensor=False)
randomize(m, 8)
record('TransformerEncoder 2 layers + norm', 'TransformerEncoder', [D, 2], {'dimFeedforward': FF, 'dropout': 0, 'numLayers': 2, 'norm': True},
       m, [('src', rn(T, N, D), True), ('mask', causal, False)], {'mask': {'$': 'mask'}},
       lambda src, mask, m=m: [m(src, mask=mask)])

# ---- RNN, LSTM, GRU ---------------------------------------------------------------------------------
I, Hd = 3, 4
for cls in ['RNN', 'LSTM', 'GRU']:
    for label, opts, kw in [
        ('', {}, {}),
        (' 2 layers bidirectional', {'numLayers': 2, 'bidirectional': True}, {'num_layers': 2, 'bidirectional': True}),
        (' batchFirst no bias', {'batchFirst': True, 'bias': False}, {'batch_first': True, 'bias': False}),
        (' unbatched', {}, {}),
    ] + ([(' relu', {'nonlinearity': 'relu'}, {'nonlinearity': 'relu'})] if cls == 'RNN' else []):
        m = getattr(nn, cls)(I, Hd, dtype=f64, **kw)
        randomize(m, 9)
        dirs = 2 if kw.get('bidirectional') else 1
        LDn = kw.get('num_layers', 1) * dirs
        unb = label == ' unbatched'
        x = rn(T, I) if unb else (rn(N, T, I) if kw.get('batch_first') else rn(T, N, I))
        hshape = (LDn, Hd) if unb else (LDn, N, Hd)
        inputs = [('x', x, True), ('h0', rn(*hshape, scale=0.5), True)]
        if cls == 'LSTM':
            inputs.append(('c0', rn(*hshape, scale=0.5), True))

            def f(x, h0, c0, m=m):
                y, (h, c) = m(x, (h0, c0))
                return [y, h, c]
        else:
            def f(x, h0, m=m):
                y, h = m(x, h0)
                return [y, h]
        record(f'{cls}{label}', cls, [I, Hd], opts, m, inputs, {}, f)

# a long sequence: the recurrence stays finite and matches over 200 steps
m = nn.LSTM(2, 3, dtype=f64)
randomize(m, 10)
record('LSTM 200 steps', 'LSTM', [2, 3], {}, m, [('x', rn(200, 1, 2), True)], {},
       lambda x, m=m: (lambda r: [r[0], r[1][0], r[1][1]])(m(x)))


# ---- interop: state dicts as safetensors --------------------------------------------------------
def write_safetensors(path, tensors):
    """The safetensors format: u64 header length, a JSON header of dtype/shape/offsets, raw data."""
    header, blobs, at = {}, [], 0
    for name, t in tensors.items():
        b = t.detach().contiguous().numpy().tobytes()
        header[name] = {'dtype': {torch.float32: 'F32', torch.float64: 'F64'}[t.dtype],
                        'shape': list(t.shape), 'data_offsets': [at, at + len(b)]}
        blobs.append(b)
        at += len(b)
    header['__metadata__'] = {'format': 'pt'}
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


interop = {'torch': torch.__version__, 'cases': []}
os.makedirs(os.path.join(FIXTURES, 'interop'), exist_ok=True)
torch.manual_seed(2024)
for name, kind, args, opts, make, inp, run in [
    ('transformer-encoder-layer', 'TransformerEncoderLayer', [16, 4], {'dimFeedforward': 32, 'dropout': 0.1},
     lambda: nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.1), torch.randn(6, 2, 16),
     lambda m, x: [m(x)]),
    ('lstm', 'LSTM', [5, 7], {'numLayers': 2}, lambda: nn.LSTM(5, 7, num_layers=2), torch.randn(9, 2, 5),
     lambda m, x: (lambda r: [r[0], r[1][0], r[1][1]])(m(x))),
    ('multihead-attention', 'MultiheadAttention', [16, 4], {}, lambda: nn.MultiheadAttention(16, 4),
     torch.randn(6, 2, 16), lambda m, x: list(m(x, x, x))),
]:
    m = make().eval()
    with torch.no_grad():
        outs = run(m, inp)
    write_safetensors(os.path.join(FIXTURES, 'interop', f'{name}.safetensors'), m.state_dict())
    interop['cases'].append({'name': name, 'kind': kind, 'args': args, 'options': opts,
                             'file': f'interop/{name}.safetensors',
                             'input': {'data': inp.reshape(-1).tolist(), 'shape': list(inp.shape)},
                             'outputs': [{'data': flat(y), 'shape': list(y.shape)} for y in outs]})

out = {'about': 'Made by scripts/make-seq.py; replayed by src/seq-reference.test.ts.', 'torch': torch.__version__,
       'cases': cases}
paths = []
for fname, obj in [('seq.json', out), ('interop.json', interop)]:
    path = os.path.normpath(os.path.join(FIXTURES, fname))
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'))
        f.write('\n')
    paths.append(path)
print(f'{len(cases)} cases -> {paths[0]}; {len(interop["cases"])} state dicts -> {paths[1]}')

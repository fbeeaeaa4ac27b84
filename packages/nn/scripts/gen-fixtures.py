#!/usr/bin/python3
"""Reference values for @nablajs/nn's tests, computed by PyTorch in float64.

Run from anywhere:  /usr/bin/python3 packages/nn/scripts/gen-fixtures.py
It rewrites packages/nn/fixtures/reference.json (formatted with the repository's prettier). Each case names the Nabla function to call, its
tensor inputs (flat row-major data, shape, dtype, whether it requires grad), its options (a tensor
option is {"$": input name}), PyTorch's output and the gradient of every input that requires grad
(of output·gradOutput summed, for non-scalar outputs).
"""
import json
import math
import os
import subprocess

import torch
import torch.nn.functional as F

torch.manual_seed(0)
f64 = torch.float64
cases = []


def t(x, grad=False):
    x = x.to(f64) if x.is_floating_point() else x.to(torch.int32)
    return x.detach().clone().requires_grad_(grad) if x.is_floating_point() else x


def enc(x):
    dtype = 'float64' if x.is_floating_point() else 'int32'
    return {'data': x.detach().reshape(-1).tolist(), 'shape': list(x.shape), 'dtype': dtype}


def case(name, fn, inputs, call, args, opts=None):
    """inputs: name -> tensor; call(**inputs) -> torch output; args: input names passed positionally."""
    out = call(**inputs)
    grads = {}
    gout = None
    wrt = [k for k, v in inputs.items() if v.is_floating_point() and v.requires_grad]
    if wrt:
        if out.numel() == 1:
            gs = torch.autograd.grad(out.sum(), [inputs[k] for k in wrt])
        else:
            gout = torch.linspace(0.5, 1.5, out.numel(), dtype=f64).reshape(out.shape)
            gs = torch.autograd.grad(out, [inputs[k] for k in wrt], grad_outputs=gout)
        grads = {k: g.reshape(-1).tolist() for k, g in zip(wrt, gs)}
    cases.append({
        'name': name,
        'fn': fn,
        'inputs': {k: {**enc(v), 'requiresGrad': bool(v.is_floating_point() and v.requires_grad)} for k, v in inputs.items()},
        'args': args,
        'opts': opts or {},
        'output': enc(out),
        'gradOutput': None if gout is None else gout.reshape(-1).tolist(),
        'grads': grads,
    })


def rn(*shape, scale=1.0):
    return torch.randn(*shape, dtype=f64) * scale


# ---- MSE --------------------------------------------------------------------------------------
x, y = rn(3, 4), rn(3, 4)
for red in ['mean', 'sum', 'none']:
    case(f'mse {red}', 'mseLoss', {'input': t(x, True), 'target': t(y, True)},
         lambda input, target, red=red: F.mse_loss(input, target, reduction=red), ['input', 'target'], {'reduction': red})

# ---- cross-entropy ----------------------------------------------------------------------------
logits = rn(4, 5, scale=2)
labels = torch.tensor([1, 0, 4, 2])
w = torch.tensor([0.5, 1.0, 2.0, 1.5, 0.25], dtype=f64)
for red in ['mean', 'sum', 'none']:
    case(f'crossEntropy {red}', 'crossEntropy', {'input': t(logits, True), 'target': t(labels)},
         lambda input, target, red=red: F.cross_entropy(input, target.long(), reduction=red), ['input', 'target'], {'reduction': red})
    case(f'crossEntropy weight {red}', 'crossEntropy', {'input': t(logits, True), 'target': t(labels), 'w': t(w)},
         lambda input, target, w, red=red: F.cross_entropy(input, target.long(), weight=w, reduction=red),
         ['input', 'target'], {'reduction': red, 'weight': {'$': 'w'}})
    case(f'crossEntropy smoothing {red}', 'crossEntropy', {'input': t(logits, True), 'target': t(labels)},
         lambda input, target, red=red: F.cross_entropy(input, target.long(), reduction=red, label_smoothing=0.1),
         ['input', 'target'], {'reduction': red, 'labelSmoothing': 0.1})
    case(f'crossEntropy smoothing weight {red}', 'crossEntropy', {'input': t(logits, True), 'target': t(labels), 'w': t(w)},
         lambda input, target, w, red=red: F.cross_entropy(input, target.long(), weight=w, reduction=red, label_smoothing=0.2),
         ['input', 'target'], {'reduction': red, 'weight': {'$': 'w'}, 'labelSmoothing': 0.2})
probs = torch.softmax(rn(4, 5), 1)
for red in ['mean', 'sum', 'none']:
    case(f'crossEntropy probabilities {red}', 'crossEntropy', {'input': t(logits, True), 'target': t(probs, True)},
         lambda input, target, red=red: F.cross_entropy(input, target, reduction=red), ['input', 'target'], {'reduction': red})
case('crossEntropy probabilities weight smoothing', 'crossEntropy', {'input': t(logits, True), 'target': t(probs), 'w': t(w)},
     lambda input, target, w: F.cross_entropy(input, target, weight=w, label_smoothing=0.1),
     ['input', 'target'], {'weight': {'$': 'w'}, 'labelSmoothing': 0.1})
big = torch.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 999.0, 1000.0], [500.0, 500.0, -1000.0]], dtype=f64)
case('crossEntropy logits ±1000', 'crossEntropy', {'input': t(big, True), 'target': t(torch.tensor([1, 2, 0]))},
     lambda input, target: F.cross_entropy(input, target.long(), reduction='none'), ['input', 'target'], {'reduction': 'none'})
case('crossEntropy unbatched', 'crossEntropy', {'input': t(rn(5), True), 'target': t(torch.tensor(3))},
     lambda input, target: F.cross_entropy(input, target.long()), ['input', 'target'])
case('crossEntropy [N,C,d]', 'crossEntropy', {'input': t(rn(2, 3, 4), True), 'target': t(torch.tensor([[0, 2, 1, 1], [2, 2, 0, 1]]))},
     lambda input, target: F.cross_entropy(input, target.long()), ['input', 'target'])

# ---- NLL --------------------------------------------------------------------------------------
logp = torch.log_softmax(rn(4, 5), 1)
for red in ['mean', 'sum', 'none']:
    case(f'nll {red}', 'nllLoss', {'input': t(logp, True), 'target': t(labels)},
         lambda input, target, red=red: F.nll_loss(input, target.long(), reduction=red), ['input', 'target'], {'reduction': red})
    case(f'nll weight {red}', 'nllLoss', {'input': t(logp, True), 'target': t(labels), 'w': t(w)},
         lambda input, target, w, red=red: F.nll_loss(input, target.long(), weight=w, reduction=red),
         ['input', 'target'], {'reduction': red, 'weight': {'$': 'w'}})

# ---- BCE --------------------------------------------------------------------------------------
p = torch.sigmoid(rn(3, 4))
tgt = torch.rand(3, 4, dtype=f64)
bw = torch.tensor([0.5, 1.0, 2.0, 1.5], dtype=f64)
for red in ['mean', 'sum', 'none']:
    case(f'bce {red}', 'binaryCrossEntropy', {'input': t(p, True), 'target': t(tgt, True)},
         lambda input, target, red=red: F.binary_cross_entropy(input, target, reduction=red), ['input', 'target'], {'reduction': red})
case('bce weight', 'binaryCrossEntropy', {'input': t(p, True), 'target': t(tgt), 'w': t(bw)},
     lambda input, target, w: F.binary_cross_entropy(input, target, weight=w), ['input', 'target'], {'weight': {'$': 'w'}})
edge_p = torch.tensor([0.0, 1.0, 0.0, 1.0, 1e-50, 0.5], dtype=f64)
edge_t = torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0, 0.5], dtype=f64)
case('bce at 0 and 1 (logs clamped at -100)', 'binaryCrossEntropy', {'input': t(edge_p, True), 'target': t(edge_t)},
     lambda input, target: F.binary_cross_entropy(input, target, reduction='none'), ['input', 'target'], {'reduction': 'none'})

z = rn(3, 4, scale=3)
z[0, 0] = 0.0
z[1, 1] = 40.0
z[2, 2] = -40.0
pw = torch.tensor([1.0, 2.0, 0.5, 3.0], dtype=f64)
for red in ['mean', 'sum', 'none']:
    case(f'bceWithLogits {red}', 'binaryCrossEntropyWithLogits', {'input': t(z, True), 'target': t(tgt, True)},
         lambda input, target, red=red: F.binary_cross_entropy_with_logits(input, target, reduction=red),
         ['input', 'target'], {'reduction': red})
case('bceWithLogits posWeight weight', 'binaryCrossEntropyWithLogits', {'input': t(z, True), 'target': t(tgt, True), 'pw': t(pw), 'w': t(bw)},
     lambda input, target, pw, w: F.binary_cross_entropy_with_logits(input, target, weight=w, pos_weight=pw),
     ['input', 'target'], {'posWeight': {'$': 'pw'}, 'weight': {'$': 'w'}})
huge = torch.tensor([1000.0, -1000.0, 0.0, 1000.0, -1000.0], dtype=f64)
case('bceWithLogits logits ±1000', 'binaryCrossEntropyWithLogits',
     {'input': t(huge, True), 'target': t(torch.tensor([1.0, 0.0, 1.0, 0.0, 1.0]))},
     lambda input, target: F.binary_cross_entropy_with_logits(input, target, reduction='none'), ['input', 'target'], {'reduction': 'none'})

# ---- Gaussian NLL (the lecture's regression exercise) ------------------------------------------
mu, obs = rn(4, 2), rn(4, 2)
var = torch.rand(4, 2, dtype=f64) + 0.1
var[0, 1] = 0.0  # clamped to eps, gradient passes through
for red in ['mean', 'sum', 'none']:
    for full in [False, True]:
        case(f'gaussianNll {red} full={full}', 'gaussianNllLoss', {'input': t(mu, True), 'target': t(obs), 'var': t(var, True)},
             lambda input, target, var, red=red, full=full: F.gaussian_nll_loss(input, target, var, full=full, reduction=red),
             ['input', 'target', 'var'], {'reduction': red, 'full': full})
case('gaussianNll var [N,1]', 'gaussianNllLoss', {'input': t(mu, True), 'target': t(obs), 'var': t(var[:, :1] + 0.5, True)},
     lambda input, target, var: F.gaussian_nll_loss(input, target, var), ['input', 'target', 'var'])
case('gaussianNll var [N]', 'gaussianNllLoss', {'input': t(mu, True), 'target': t(obs), 'var': t(var[:, 0] + 0.5, True)},
     lambda input, target, var: F.gaussian_nll_loss(input, target, var), ['input', 'target', 'var'])
case('gaussianNll eps', 'gaussianNllLoss', {'input': t(mu, True), 'target': t(obs), 'var': t(var * 0.01, True)},
     lambda input, target, var: F.gaussian_nll_loss(input, target, var, eps=1e-3), ['input', 'target', 'var'], {'eps': 1e-3})

# ---- layers -----------------------------------------------------------------------------------
xin, W, b = rn(3, 4), rn(2, 4), rn(2)
case('linear', 'linear', {'input': t(xin, True), 'weight': t(W, True), 'bias': t(b, True)},
     lambda input, weight, bias: F.linear(input, weight, bias), ['input', 'weight', 'bias'])
act = torch.tensor([[-2.0, -0.5, 0.0, 0.5, 3.0], [100.0, -100.0, 1.0, 2.0, -1.0]], dtype=f64)
for fn, call, opts in [
    ('sigmoid', torch.sigmoid, {}),
    ('tanh', torch.tanh, {}),
    ('relu', torch.relu, {}),
    ('leakyRelu', lambda x: F.leaky_relu(x, 0.2), {'negativeSlope': 0.2}),
    ('softmax', lambda x: torch.softmax(x, -1), {}),
    ('logSoftmax', lambda x: torch.log_softmax(x, -1), {}),
    ('softmax axis 0', lambda x: torch.softmax(x, 0), {'axis': 0}),
]:
    case(fn, fn.split(' ')[0], {'input': t(act, True)}, lambda input, call=call: call(input), ['input'], opts)

# ---- the losses of issue 18 (after the others, so that their random inputs stay as they were) -------
x, y = rn(3, 4), rn(3, 4)
y[0, 0] = x[0, 0] + 0.5  # |d| = β exactly: the linear branch
y[0, 1] = x[0, 1]  # d = 0
for red in ['mean', 'sum', 'none']:
    case(f'l1 {red}', 'l1Loss', {'input': t(x, True), 'target': t(y, True)},
         lambda input, target, red=red: F.l1_loss(input, target, reduction=red), ['input', 'target'], {'reduction': red})
y0 = y.clone()
y0[0, 1] += 0.25  # beta 0 is the L1 loss; at d = 0 PyTorch's kernel gives gradient −1 (Nabla 0, as l1)
for beta in [1.0, 0.5, 0.0]:
    case(f'smoothL1 beta {beta}', 'smoothL1Loss', {'input': t(x, True), 'target': t(y0 if beta == 0 else y, True)},
         lambda input, target, beta=beta: F.smooth_l1_loss(input, target, beta=beta), ['input', 'target'], {'beta': beta})
for delta in [1.0, 0.5, 2.0]:
    case(f'huber delta {delta}', 'huberLoss', {'input': t(x, True), 'target': t(y, True)},
         lambda input, target, delta=delta: F.huber_loss(input, target, delta=delta, reduction='sum'), ['input', 'target'],
         {'delta': delta, 'reduction': 'sum'})
logq = torch.log_softmax(rn(3, 5), 1)
pt = torch.softmax(rn(3, 5), 1)
pt[1, 2] = 0.0  # t = 0 contributes 0
for red in ['mean', 'batchmean', 'sum', 'none']:
    case(f'klDiv {red}', 'klDivLoss', {'input': t(logq, True), 'target': t(pt)},
         lambda input, target, red=red: F.kl_div(input, target, reduction=red), ['input', 'target'], {'reduction': red})
case('klDiv logTarget', 'klDivLoss', {'input': t(logq, True), 'target': t(torch.log_softmax(rn(3, 5), 1), True)},
     lambda input, target: F.kl_div(input, target, reduction='batchmean', log_target=True), ['input', 'target'],
     {'reduction': 'batchmean', 'logTarget': True})
a1, a2 = rn(5), rn(5)
ry = torch.tensor([1.0, -1.0, 1.0, -1.0, 1.0], dtype=f64)
for margin in [0.0, 0.5]:
    case(f'marginRanking margin {margin}', 'marginRankingLoss', {'input1': t(a1, True), 'input2': t(a2, True), 'target': t(ry)},
         lambda input1, input2, target, margin=margin: F.margin_ranking_loss(input1, input2, target, margin=margin),
         ['input1', 'input2', 'target'], {'margin': margin})
c1, c2 = rn(4, 3), rn(4, 3)
cy = torch.tensor([1.0, -1.0, -1.0, 1.0], dtype=f64)
for margin in [0.0, 0.3]:
    case(f'cosineEmbedding margin {margin}', 'cosineEmbeddingLoss', {'input1': t(c1, True), 'input2': t(c2, True), 'target': t(cy)},
         lambda input1, input2, target, margin=margin: F.cosine_embedding_loss(input1, input2, target, margin=margin, reduction='none'),
         ['input1', 'input2', 'target'], {'margin': margin, 'reduction': 'none'})
ig = torch.tensor([1, -100, 4, 0], dtype=torch.int32)
ig2 = torch.tensor([1, 7, 4, 7], dtype=torch.int32)
logits = rn(4, 5)
for red in ['mean', 'sum', 'none']:
    case(f'crossEntropy ignoreIndex -100 {red}', 'crossEntropy', {'input': t(logits, True), 'target': t(ig)},
         lambda input, target, red=red: F.cross_entropy(input, target.long(), reduction=red), ['input', 'target'], {'reduction': red})
case('crossEntropy ignoreIndex 7, weighted, smoothed', 'crossEntropy', {'input': t(logits, True), 'target': t(ig2), 'w': t(torch.tensor([1.0, 2.0, 0.5, 1.0, 3.0], dtype=f64))},
     lambda input, target, w: F.cross_entropy(input, target.long(), weight=w, ignore_index=7, label_smoothing=0.1), ['input', 'target'],
     {'weight': {'$': 'w'}, 'ignoreIndex': 7, 'labelSmoothing': 0.1})
case('nll ignoreIndex 7', 'nllLoss', {'input': t(torch.log_softmax(logits, 1), True), 'target': t(ig2)},
     lambda input, target: F.nll_loss(input, target.long(), ignore_index=7), ['input', 'target'], {'ignoreIndex': 7})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'reference.json')
with open(out, 'w') as f:
    json.dump({'generator': 'packages/nn/scripts/gen-fixtures.py', 'torch': torch.__version__, 'cases': cases}, f, indent=1)
    f.write('\n')
# the repository's formatter, so regenerating gives a clean diff
prettier = os.path.join(os.path.dirname(out), '..', '..', '..', 'node_modules', '.bin', 'prettier')
if os.path.exists(prettier):
    subprocess.run([prettier, '--write', out], check=True, stdout=subprocess.DEVNULL)
print(f'{len(cases)} cases -> {os.path.normpath(out)}')

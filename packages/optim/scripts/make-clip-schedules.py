#!/usr/bin/python3
"""Writes fixtures/clip-schedules.json: PyTorch 1.13's gradient clipping and the learning-rate
schedulers LambdaLR, MultiStepLR, LinearLR, SequentialLR, OneCycleLR and ReduceLROnPlateau, step by
step, in float64, which src/clip-schedules.test.ts replays with Nabla.

Run from anywhere with Debian's python3-torch (CPU, 1.13):
    /usr/bin/python3 packages/optim/scripts/make-clip-schedules.py

A schedule case builds an optimizer over two parameter groups (different rates), then its scheduler
(for SequentialLR: the inner schedulers first, each taking its first step as PyTorch's do), and
records after construction and after every step: get_last_lr() (the groups' rates for
ReduceLROnPlateau, which has no get_last_lr in 1.13), the groups' rates and their momentum (SGD's
momentum, Adam's β₁), so that 1.13's chainable forms and SequentialLR's restarts at a milestone
(closed form at epoch 0) are pinned down. LambdaLR's functions are named here and in the test.
"""
import json
import math
import os
import re

import torch

torch.set_default_dtype(torch.float64)
S = torch.optim.lr_scheduler

LAMBDAS = {
    'warmup5': lambda e: min(1.0, (e + 1) / 5),
    'decay': lambda e: 0.9 ** e,
    'inverse': lambda e: 1 / (1 + e),
}
RENAME = {'tMax': 'T_max', 'etaMin': 'eta_min'}


def snake(name):
    return RENAME.get(name) or re.sub(r'([A-Z])', lambda m: '_' + m.group(1).lower(), name)


def build(opt, spec):
    t = spec['type']
    if t == 'SequentialLR':
        inner = [build(opt, s) for s in spec['schedulers']]
        return S.SequentialLR(opt, inner, milestones=spec['milestones'])
    kw = {snake(k): v for k, v in spec.get('options', {}).items()}
    if t == 'LambdaLR':
        names = spec['lambdas']
        kw['lr_lambda'] = [LAMBDAS[n] for n in names] if isinstance(names, list) else LAMBDAS[names]
    return getattr(S, t)(opt, **kw)


def momentum(opt):
    return [g['betas'][0] if 'betas' in g else g.get('momentum', 0.0) for g in opt.param_groups]


def run_schedule(case):
    params = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    groups = [{'params': [p], 'lr': lr} for p, lr in zip(params, case['lrs'])]
    Opt = {'SGD': torch.optim.SGD, 'Adam': torch.optim.Adam}[case['optimizer']]
    opt = Opt(groups, **{snake(k): (tuple(v) if k == 'betas' else v) for k, v in case.get('options', {}).items()})
    sched = build(opt, case['scheduler'])
    plateau = case['scheduler']['type'] == 'ReduceLROnPlateau'
    seq = []

    def snap():
        lrs = [g['lr'] for g in opt.param_groups]
        seq.append({'lastLr': lrs if plateau else list(sched.get_last_lr()), 'lr': lrs, 'momentum': momentum(opt)})

    snap()
    for e in range(case['steps']):
        opt.step()
        if plateau:
            sched.step(case['metrics'][e])
        else:
            sched.step()
        snap()
    return {**case, 'sequence': seq}


def lin(**o):
    return {'type': 'LinearLR', 'options': o}


SCHEDULES = [
    {'name': 'LambdaLR warmup', 'scheduler': {'type': 'LambdaLR', 'lambdas': 'warmup5'}, 'steps': 10},
    {'name': 'LambdaLR per group', 'scheduler': {'type': 'LambdaLR', 'lambdas': ['warmup5', 'decay']}, 'steps': 10},
    {'name': 'MultiStepLR repeated milestone', 'scheduler': {'type': 'MultiStepLR', 'options': {'milestones': [2, 5, 5, 9], 'gamma': 0.5}}, 'steps': 12},
    {'name': 'MultiStepLR default gamma', 'scheduler': {'type': 'MultiStepLR', 'options': {'milestones': [3]}}, 'steps': 5},
    {'name': 'LinearLR defaults', 'scheduler': lin(), 'steps': 9},
    {'name': 'LinearLR warmup from 0.01', 'scheduler': lin(startFactor=0.01, totalIters=4), 'steps': 7},
    {'name': 'LinearLR decreasing', 'scheduler': lin(startFactor=1.0, endFactor=0.1, totalIters=6), 'steps': 9},
    {'name': 'SequentialLR warmup then cosine',
     'scheduler': {'type': 'SequentialLR', 'milestones': [3],
                   'schedulers': [lin(startFactor=0.1, totalIters=3),
                                  {'type': 'CosineAnnealingLR', 'options': {'tMax': 6, 'etaMin': 0.001}}]},
     'steps': 14},
    {'name': 'SequentialLR three schedulers',
     'scheduler': {'type': 'SequentialLR', 'milestones': [3, 6],
                   'schedulers': [{'type': 'ExponentialLR', 'options': {'gamma': 0.9}},
                                  {'type': 'StepLR', 'options': {'stepSize': 2, 'gamma': 0.5}},
                                  {'type': 'LambdaLR', 'lambdas': 'inverse'}]},
     'steps': 10},
    {'name': 'SequentialLR linear then multistep',
     'scheduler': {'type': 'SequentialLR', 'milestones': [4],
                   'schedulers': [lin(totalIters=4), {'type': 'MultiStepLR', 'options': {'milestones': [2, 3]}}]},
     'steps': 9},
    {'name': 'OneCycleLR SGD momentum', 'optimizer': 'SGD', 'options': {'momentum': 0.9},
     'scheduler': {'type': 'OneCycleLR', 'options': {'maxLr': 1.0, 'totalSteps': 20}}, 'steps': 20},
    {'name': 'OneCycleLR Adam, linear, three phases, per-group maxLr', 'optimizer': 'Adam',
     'scheduler': {'type': 'OneCycleLR', 'options': {'maxLr': [0.5, 0.05], 'totalSteps': 16, 'annealStrategy': 'linear',
                                                     'threePhase': True, 'pctStart': 0.25, 'divFactor': 10.0,
                                                     'finalDivFactor': 100.0, 'baseMomentum': 0.8, 'maxMomentum': 0.9}},
     'steps': 16},
    {'name': 'OneCycleLR epochs x stepsPerEpoch, no momentum cycling',
     'scheduler': {'type': 'OneCycleLR', 'options': {'maxLr': 0.3, 'epochs': 3, 'stepsPerEpoch': 4, 'cycleMomentum': False}},
     'steps': 12},
    {'name': 'ReduceLROnPlateau min, patience, cooldown, minLr', 'steps': 16,
     'scheduler': {'type': 'ReduceLROnPlateau', 'options': {'factor': 0.5, 'patience': 2, 'cooldown': 1, 'minLr': [0.01, 0.002]}},
     'metrics': [1.0, 0.9, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.79995, 0.8, 0.8, 0.8, 0.8, 0.8]},
    {'name': 'ReduceLROnPlateau max, abs threshold', 'steps': 10,
     'scheduler': {'type': 'ReduceLROnPlateau', 'options': {'mode': 'max', 'thresholdMode': 'abs', 'threshold': 0.1, 'patience': 1}},
     'metrics': [0.5, 0.55, 0.7, 0.75, 0.79, 0.81, 0.95, 0.9, 0.9, 0.9]},
]
for c in SCHEDULES:
    c.setdefault('optimizer', 'SGD')
    c.setdefault('lrs', [0.1, 0.02])


def run_clip(case):
    torch.manual_seed(case['seed'])
    grads = [torch.randn(*s) * case.get('scale', 1.0) for s in [(3, 2), (4,), (2, 2)]]
    if case.get('inf'):
        grads[1][2] = math.inf
    params = [torch.zeros(g.shape, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    params.append(torch.zeros(2, requires_grad=True))  # no gradient: skipped
    if case['fn'] == 'clipGradNorm':
        total = torch.nn.utils.clip_grad_norm_(params, case['maxNorm'], case['normType']).item()
    else:
        torch.nn.utils.clip_grad_value_(params, case['clipValue'])
        total = None
    def js(v):  # JSON has no inf or nan: Number() reads these strings back
        return v if math.isfinite(v) else {'inf': 'Infinity', '-inf': '-Infinity', 'nan': 'NaN'}[str(v)]
    enc = lambda x: [js(v) for v in x.reshape(-1).tolist()]
    return {**case, 'grads': [enc(g) for g in grads], 'shapes': [list(g.shape) for g in grads],
            'total': total if total is None else js(total),
            'clipped': [enc(p.grad) for p in params[:3]]}


CLIPS = [
    {'name': 'norm 2, clipped', 'fn': 'clipGradNorm', 'maxNorm': 1.0, 'normType': 2.0, 'seed': 1},
    {'name': 'norm 2, under the limit: scaled by 1', 'fn': 'clipGradNorm', 'maxNorm': 100.0, 'normType': 2.0, 'seed': 2},
    {'name': 'norm 1', 'fn': 'clipGradNorm', 'maxNorm': 0.5, 'normType': 1.0, 'seed': 3},
    {'name': 'norm 3', 'fn': 'clipGradNorm', 'maxNorm': 0.5, 'normType': 3.0, 'seed': 4},
    {'name': 'norm inf', 'fn': 'clipGradNorm', 'maxNorm': 0.25, 'normType': math.inf, 'seed': 5},
    {'name': 'norm 2, tiny gradients', 'fn': 'clipGradNorm', 'maxNorm': 1.0, 'normType': 2.0, 'seed': 6, 'scale': 1e-9},
    {'name': 'norm 2, an infinite gradient', 'fn': 'clipGradNorm', 'maxNorm': 1.0, 'normType': 2.0, 'seed': 7, 'inf': True},
    {'name': 'value', 'fn': 'clipGradValue', 'clipValue': 0.3, 'seed': 8},
]


def main():
    out = {'about': 'Made by scripts/make-clip-schedules.py; replayed by src/clip-schedules.test.ts.',
           'torch': torch.__version__,
           'schedules': [run_schedule(c) for c in SCHEDULES],
           'clip': [run_clip(c) for c in CLIPS]}
    for c in out['clip']:
        if c.get('normType') == math.inf:
            c['normType'] = 'Infinity'
    path = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'clip-schedules.json'))
    with open(path, 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')
    print(f"{len(out['schedules'])} schedules, {len(out['clip'])} clipping cases -> {path}")


main()

#!/usr/bin/python3
"""Writes fixtures/pytorch.json: PyTorch 1.13 optimizer trajectories and LR-scheduler sequences in
float64, which src/*.test.ts replay with Nabla and compare to 1e-10.

Run from anywhere with Debian's python3-torch (CPU, 1.13):  /usr/bin/python3 scripts/make-fixtures.py

Options are written in Nabla's camelCase and translated here; every optimizer runs its
single-tensor (foreach=False) path, the reference maths.
"""
import json
import math
import os
import re

import torch

torch.set_default_dtype(torch.float64)

# Two parameters of different shapes; the loss is sum(c * p^2 + sin(p)) over the parameters in use,
# so the gradient 2cp + cos(p) changes from step to step.
SHAPES = [[3, 2], [2]]
INIT = [[0.5, -1.25, 2.0, 0.75, -0.3, 1.6], [-0.8, 0.45]]
COEF = [[0.3, 1.1, 0.05, 0.7, 2.0, 0.4], [0.9, 0.15]]
STEPS = 6


def snake(name):
    return re.sub(r'([A-Z])', lambda m: '_' + m.group(1).lower(), name)


def torch_options(opts):
    out = {}
    for k, v in opts.items():
        out[snake(k)] = tuple(v) if k == 'betas' else v
    return out


OPTIMIZERS = {
    'SGD': torch.optim.SGD,
    'Adam': torch.optim.Adam,
    'AdamW': torch.optim.AdamW,
    'RMSprop': torch.optim.RMSprop,
    'Adagrad': torch.optim.Adagrad,
}
SCHEDULERS = {
    'StepLR': torch.optim.lr_scheduler.StepLR,
    'ExponentialLR': torch.optim.lr_scheduler.ExponentialLR,
    'CosineAnnealingLR': torch.optim.lr_scheduler.CosineAnnealingLR,
}
# camelCase scheduler options -> PyTorch's argument names
SCHED_ARGS = {'stepSize': 'step_size', 'gamma': 'gamma', 'tMax': 'T_max', 'etaMin': 'eta_min'}


def make_params():
    return [torch.tensor(v).reshape(s).requires_grad_() for v, s in zip(INIT, SHAPES)]


def loss_of(params, used):
    total = torch.zeros(())
    for i in used:
        p = params[i]
        c = torch.tensor(COEF[i]).reshape(SHAPES[i])
        total = total + (p.square() * c + p.sin()).sum()
    return total


def used_at(case, step):
    # 'skip': parameter 1 is left out of the loss on odd steps, so its grad is None there.
    return [0] if case.get('skip') and step % 2 == 1 else [0, 1]


def run_case(case):
    params = make_params()
    opts = dict(case.get('options', {}))
    opts['foreach'] = False
    if 'groups' in case:
        arg = [dict(params=[params[i] for i in g['params']], **torch_options(g.get('options', {})))
               for g in case['groups']]
    else:
        arg = params
    opt = OPTIMIZERS[case['optimizer']](arg, **torch_options(opts))
    sched = None
    if 'scheduler' in case:
        s = case['scheduler']
        sched = SCHEDULERS[s['name']](opt, **{SCHED_ARGS[k]: v for k, v in s['options'].items()})
    traj = []
    for step in range(case.get('steps', STEPS)):
        opt.zero_grad(set_to_none=True)
        loss_of(params, used_at(case, step)).backward()
        opt.step()
        if sched:
            sched.step()
        traj.append([p.detach().reshape(-1).tolist() for p in params])
    out = {k: v for k, v in case.items()}
    out['trajectory'] = traj
    return out


def run_scheduler(case):
    p = torch.zeros(1, requires_grad=True)
    q = torch.zeros(1, requires_grad=True)
    groups = [{'params': [p], 'lr': case['lrs'][0]}, {'params': [q], 'lr': case['lrs'][1]}]
    if 'lastEpoch' in case:
        # Resuming: the groups carry initial_lr (as a restored optimizer's do), lr is the current rate.
        for g, lr in zip(groups, case['initialLrs']):
            g['initial_lr'] = lr
    opt = torch.optim.SGD(groups, lr=1.0)
    kwargs = {SCHED_ARGS[k]: v for k, v in case['options'].items()}
    if 'lastEpoch' in case:
        kwargs['last_epoch'] = case['lastEpoch']
    sched = SCHEDULERS[case['scheduler']](opt, **kwargs)
    seq = [sched.get_last_lr()]
    for _ in range(case['epochs']):
        opt.step()
        sched.step()
        seq.append(sched.get_last_lr())
    out = dict(case)
    out['sequence'] = seq
    return out


OPT_CASES = [
    {'name': 'SGD plain', 'optimizer': 'SGD', 'options': {'lr': 0.1}},
    {'name': 'SGD momentum', 'optimizer': 'SGD', 'options': {'lr': 0.1, 'momentum': 0.9}},
    {'name': 'SGD dampening', 'optimizer': 'SGD', 'options': {'lr': 0.1, 'momentum': 0.9, 'dampening': 0.3}},
    {'name': 'SGD nesterov', 'optimizer': 'SGD', 'options': {'lr': 0.1, 'momentum': 0.9, 'nesterov': True}},
    {'name': 'SGD weightDecay', 'optimizer': 'SGD', 'options': {'lr': 0.1, 'weightDecay': 0.05}},
    {'name': 'SGD maximize', 'optimizer': 'SGD', 'options': {'lr': 0.05, 'maximize': True}},
    {'name': 'SGD nesterov weightDecay maximize', 'optimizer': 'SGD',
     'options': {'lr': 0.05, 'momentum': 0.8, 'nesterov': True, 'weightDecay': 0.1, 'maximize': True}},
    {'name': 'SGD momentum skipped grads', 'optimizer': 'SGD', 'options': {'lr': 0.1, 'momentum': 0.9}, 'skip': True},
    {'name': 'Adam plain', 'optimizer': 'Adam', 'options': {'lr': 0.1}},
    {'name': 'Adam amsgrad', 'optimizer': 'Adam', 'options': {'lr': 0.1, 'amsgrad': True}},
    {'name': 'Adam weightDecay', 'optimizer': 'Adam', 'options': {'lr': 0.1, 'weightDecay': 0.1}},
    {'name': 'Adam betas eps maximize', 'optimizer': 'Adam',
     'options': {'lr': 0.05, 'betas': [0.8, 0.9], 'eps': 1e-3, 'maximize': True}},
    {'name': 'Adam skipped grads', 'optimizer': 'Adam', 'options': {'lr': 0.1}, 'skip': True},
    {'name': 'AdamW default', 'optimizer': 'AdamW', 'options': {'lr': 0.1}},
    {'name': 'AdamW weightDecay amsgrad', 'optimizer': 'AdamW',
     'options': {'lr': 0.1, 'weightDecay': 0.1, 'amsgrad': True}},
    {'name': 'AdamW maximize', 'optimizer': 'AdamW', 'options': {'lr': 0.05, 'maximize': True, 'betas': [0.5, 0.6]}},
    {'name': 'RMSprop plain', 'optimizer': 'RMSprop', 'options': {'lr': 0.01}},
    {'name': 'RMSprop momentum', 'optimizer': 'RMSprop', 'options': {'lr': 0.01, 'momentum': 0.9}},
    {'name': 'RMSprop centered', 'optimizer': 'RMSprop', 'options': {'lr': 0.01, 'centered': True}},
    {'name': 'RMSprop centered momentum weightDecay alpha', 'optimizer': 'RMSprop',
     'options': {'lr': 0.02, 'alpha': 0.9, 'centered': True, 'momentum': 0.5, 'weightDecay': 0.1, 'eps': 1e-4}},
    {'name': 'RMSprop maximize', 'optimizer': 'RMSprop', 'options': {'lr': 0.01, 'maximize': True}},
    {'name': 'Adagrad plain', 'optimizer': 'Adagrad', 'options': {'lr': 0.1}},
    {'name': 'Adagrad lrDecay', 'optimizer': 'Adagrad', 'options': {'lr': 0.1, 'lrDecay': 0.05}},
    {'name': 'Adagrad weightDecay initialAccumulatorValue eps', 'optimizer': 'Adagrad',
     'options': {'lr': 0.1, 'weightDecay': 0.1, 'initialAccumulatorValue': 0.1, 'eps': 1e-6}},
    {'name': 'Adagrad maximize skipped grads', 'optimizer': 'Adagrad',
     'options': {'lr': 0.1, 'lrDecay': 0.01, 'maximize': True}, 'skip': True},
    {'name': 'SGD param groups', 'optimizer': 'SGD', 'options': {'lr': 0.1, 'momentum': 0.9},
     'groups': [{'params': [0]}, {'params': [1], 'options': {'lr': 0.01, 'momentum': 0.5, 'weightDecay': 0.2}}]},
    {'name': 'Adam param groups', 'optimizer': 'Adam', 'options': {'lr': 0.1},
     'groups': [{'params': [1], 'options': {'lr': 0.02, 'amsgrad': True}}, {'params': [0]}]},
    {'name': 'SGD momentum with StepLR', 'optimizer': 'SGD', 'options': {'lr': 0.1, 'momentum': 0.9},
     'scheduler': {'name': 'StepLR', 'options': {'stepSize': 2, 'gamma': 0.5}}},
    {'name': 'Adam with CosineAnnealingLR', 'optimizer': 'Adam', 'options': {'lr': 0.1},
     'scheduler': {'name': 'CosineAnnealingLR', 'options': {'tMax': 3, 'etaMin': 0.01}}},
]

SCHED_CASES = [
    {'name': 'StepLR', 'scheduler': 'StepLR', 'options': {'stepSize': 3}, 'lrs': [0.1, 0.05], 'epochs': 20},
    {'name': 'StepLR gamma', 'scheduler': 'StepLR', 'options': {'stepSize': 4, 'gamma': 0.5}, 'lrs': [0.1, 0.05], 'epochs': 20},
    {'name': 'ExponentialLR', 'scheduler': 'ExponentialLR', 'options': {'gamma': 0.9}, 'lrs': [0.1, 0.05], 'epochs': 20},
    {'name': 'CosineAnnealingLR', 'scheduler': 'CosineAnnealingLR', 'options': {'tMax': 7}, 'lrs': [0.1, 0.05], 'epochs': 20},
    {'name': 'CosineAnnealingLR etaMin', 'scheduler': 'CosineAnnealingLR', 'options': {'tMax': 5, 'etaMin': 0.01},
     'lrs': [0.1, 0.05], 'epochs': 20},
    {'name': 'CosineAnnealingLR resumed', 'scheduler': 'CosineAnnealingLR', 'options': {'tMax': 6, 'etaMin': 0.001},
     'lrs': [0.07, 0.03], 'initialLrs': [0.1, 0.05], 'lastEpoch': 4, 'epochs': 12},
    {'name': 'StepLR resumed', 'scheduler': 'StepLR', 'options': {'stepSize': 3, 'gamma': 0.5},
     'lrs': [0.025, 0.0125], 'initialLrs': [0.1, 0.05], 'lastEpoch': 5, 'epochs': 10},
]


def main():
    out = {
        'generator': 'scripts/make-fixtures.py',
        'torch': torch.__version__,
        'dtype': 'float64',
        'shapes': SHAPES,
        'init': INIT,
        'coef': COEF,
        'steps': STEPS,
        'optimizers': [run_case(c) for c in OPT_CASES],
        'schedulers': [run_scheduler(c) for c in SCHED_CASES],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'pytorch.json')
    # One case per line: small, and a diff shows which case changed.
    lines = []
    for k, v in out.items():
        if isinstance(v, list) and v and isinstance(v[0], dict):
            body = ',\n'.join('  ' + json.dumps(c) for c in v)
            lines.append(f' {json.dumps(k)}: [\n{body}\n ]')
        else:
            lines.append(f' {json.dumps(k)}: {json.dumps(v)}')
    with open(path, 'w') as f:
        f.write('{\n' + ',\n'.join(lines) + '\n}\n')
    print('wrote', os.path.normpath(path))


if __name__ == '__main__':
    main()

// Graph export: graphOf, toDot, toMermaid on the lecture's single-layer network.
import { cpu } from '@nablajs/backend-cpu';
import { tensor, useBackend } from '@nablajs/tensor';
import { describe, expect, test } from 'vitest';
import { type Variable, graphOf, toDot, toMermaid, variable } from './index.js';

useBackend(cpu());

/** x, W → matmul → a → sigmoid → y; loss = Σ(y − c)² with the label c (the lecture's figure). */
function singleLayer() {
  const x = variable(tensor([[0.5], [-1.5]]), { name: 'x' }); // an input column
  const W = variable(tensor([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]]), { requiresGrad: true, name: 'W' }); // prettier-ignore
  const c = variable(tensor([[1], [0], [1]]), { name: 'c' }); // the label: a variable node too
  const a = W.matmul(x);
  a.name = 'a';
  const y = a.sigmoid();
  y.name = 'y';
  const loss = y.sub(c).square().sum();
  loss.name = 'loss';
  return { x, W, c, a, y, loss };
}

/** The structure of a graph with ids replaced by labels, for comparisons. */
function byLabel(g: ReturnType<typeof graphOf>) {
  const label = new Map(g.items.map((i) => [i.id, i.label]));
  return g.edges.map(([s, t]) => `${label.get(s)} -> ${label.get(t)}`).sort();
}

/** A small parser for the DOT that toDot writes: every line must be one of these statements. */
function parseDot(dot: string) {
  const lines = dot.split('\n');
  expect(lines[0]).toBe('digraph G {');
  expect(lines[lines.length - 1]).toBe('}');
  const nodes = new Map<string, { label: string; attrs: string }>();
  const edges: [string, string][] = [];
  for (const line of lines.slice(1, -1)) {
    const node = /^ {2}(\w+) \[label="((?:[^"\\]|\\.)*)", (.*)\];$/.exec(line);
    const edge = /^ {2}(\w+) -> (\w+);$/.exec(line);
    if (node) nodes.set(node[1]!, { label: node[2]!.replace(/\\"/g, '"'), attrs: node[3]! });
    else if (edge) edges.push([edge[1]!, edge[2]!]);
    else expect(line, 'a graph attribute').toMatch(/^ {2}\w+=\w+;$/);
  }
  return { nodes, edges };
}

/** Kahn's algorithm: true when the edges form no cycle. */
function acyclic(ids: Iterable<string>, edges: [string, string][]): boolean {
  const indeg = new Map([...ids].map((id) => [id, 0]));
  for (const [, t] of edges) indeg.set(t, indeg.get(t)! + 1);
  const ready = [...indeg].filter(([, d]) => d === 0).map(([id]) => id);
  let done = 0;
  while (ready.length) {
    const id = ready.pop()!;
    done++;
    for (const [s, t] of edges)
      if (s === id) {
        indeg.set(t, indeg.get(t)! - 1);
        if (indeg.get(t) === 0) ready.push(t);
      }
  }
  return done === indeg.size;
}

describe('graph export', () => {
  test("graphOf: the single-layer network's function nodes, variables and edges", () => {
    const { loss } = singleLayer();
    const g = graphOf(loss);
    const fns = g.items.filter((i) => i.kind === 'function');
    expect(fns.map((f) => f.label).sort()).toEqual(['matmul', 'sigmoid', 'square', 'sub', 'sum']);
    // leaves: W requires grad (a variable), x and the label c are constants
    const kindOf = (label: string) => g.items.filter((i) => i.label === label).map((i) => i.kind);
    expect(kindOf('W (3×2)')).toEqual(['variable']);
    expect(kindOf('x (2×1)')).toEqual(['constant']);
    expect(kindOf('c (3×1)')).toEqual(['constant']);
    expect(kindOf('a (3×1)')).toEqual(['variable']);
    expect(kindOf('y (3×1)')).toEqual(['variable']);
    expect(kindOf('loss (scalar)')).toEqual(['variable']);
    expect(byLabel(g)).toEqual(
      [
        'W (3×2) -> matmul',
        'x (2×1) -> matmul',
        'matmul -> a (3×1)',
        'a (3×1) -> sigmoid',
        'sigmoid -> y (3×1)',
        'y (3×1) -> sub',
        'c (3×1) -> sub',
        'sub -> 3×1', // the unnamed difference y − c
        '3×1 -> square',
        'square -> 3×1',
        '3×1 -> sum',
        'sum -> loss (scalar)',
      ].sort(),
    );
    // every function node has exactly one output variable; edges go variable → function → variable
    const kind = new Map(g.items.map((i) => [i.id, i.kind]));
    for (const f of fns) expect(g.edges.filter(([s]) => s === f.id)).toHaveLength(1);
    for (const [s, t] of g.edges)
      expect((kind.get(s) === 'function') !== (kind.get(t) === 'function')).toBe(true);
    expect(new Set(g.items.map((i) => i.id)).size).toBe(g.items.length);
  });

  test('toDot parses as a digraph with the same nodes and edges, functions as boxes', () => {
    const { loss } = singleLayer();
    const g = graphOf(loss);
    const dot = toDot(loss);
    const { nodes, edges } = parseDot(dot);
    expect([...nodes.keys()].sort()).toEqual(g.items.map((i) => i.id).sort());
    for (const item of g.items) {
      expect(nodes.get(item.id)!.label).toBe(item.label);
      expect(nodes.get(item.id)!.attrs.includes('shape=box'), item.label).toBe(
        item.kind === 'function',
      );
      expect(nodes.get(item.id)!.attrs.includes('dashed'), item.label).toBe(
        item.kind === 'constant',
      );
    }
    expect(edges.sort()).toEqual([...g.edges].sort());
    for (const [s, t] of edges) expect(nodes.has(s) && nodes.has(t)).toBe(true);
    expect(acyclic(nodes.keys(), edges)).toBe(true);
    expect([...nodes.values()].filter((n) => n.attrs.includes('shape=box'))).toHaveLength(5);
  });

  test('toMermaid: a flowchart with the same nodes and edges, constants dotted', () => {
    const { loss } = singleLayer();
    const g = graphOf(loss);
    const lines = toMermaid(loss).split('\n');
    expect(lines[0]).toBe('flowchart LR');
    const fns: string[] = [];
    const vars: string[] = [];
    const edges: [string, string][] = [];
    const styled: string[] = [];
    for (const line of lines.slice(1)) {
      let m: RegExpExecArray | null;
      if ((m = /^ {2}(\w+)\["(.*)"\]$/.exec(line))) fns.push(m[2]!);
      else if ((m = /^ {2}(\w+)\(\["(.*)"\]\)$/.exec(line))) vars.push(m[2]!);
      else if ((m = /^ {2}(\w+) --> (\w+)$/.exec(line))) edges.push([m[1]!, m[2]!]);
      else if ((m = /^ {2}style (\w+) stroke-dasharray: 4 4$/.exec(line))) styled.push(m[1]!);
      else throw new Error(`unexpected Mermaid line: ${line}`);
    }
    expect(fns.sort()).toEqual(['matmul', 'sigmoid', 'square', 'sub', 'sum']);
    expect(vars).toEqual(
      expect.arrayContaining([
        'W (3×2)',
        'x (2×1)',
        'c (3×1)',
        'a (3×1)',
        'y (3×1)',
        'loss (scalar)',
      ]),
    );
    expect(edges.sort()).toEqual([...g.edges].sort());
    const label = new Map(g.items.map((i) => [i.id, i.label]));
    expect(styled.map((id) => label.get(id)).sort()).toEqual(['c (3×1)', 'x (2×1)']);
  });

  test('the graph can still be drawn after backward freed the saved tensors', () => {
    const { loss, W } = singleLayer();
    const before = toDot(loss);
    loss.backward();
    expect(loss.gradFn!.saved).toBeNull();
    expect(W.grad).not.toBeNull();
    expect(toDot(loss)).toBe(before);
  });

  test('a value used three times is drawn once, with three edges out of its variable', () => {
    const x = variable(tensor([1, 2]), { requiresGrad: true });
    const e = x.exp();
    const g = graphOf(e.mul(e).add(e).sum());
    const exp = g.items.find((i) => i.label === 'exp')!.id;
    expect(g.edges.filter(([s]) => s === exp)).toEqual([[exp, `${exp}_out`]]);
    expect(g.edges.filter(([s]) => s === `${exp}_out`)).toHaveLength(3);
  });

  test('a chain of 100,000 nodes is drawn without overflowing the stack', () => {
    const n = 100_000;
    const x = variable(tensor([1]), { requiresGrad: true, name: 'x' });
    let y = x;
    for (let i = 0; i < n; i++) y = y.neg();
    const dot = toDot(y);
    const mermaid = toMermaid(y);
    // a function node and its output per op, plus x; an edge into and out of each function node
    expect(dot.match(/shape=box/g)).toHaveLength(n);
    expect(dot.match(/ -> /g)).toHaveLength(2 * n);
    expect(mermaid.match(/ --> /g)).toHaveLength(2 * n);
    expect(mermaid).toContain('(["x (1)"])');
    const { items, edges } = graphOf(y);
    expect(items).toHaveLength(2 * n + 1);
    // the forward order along the chain: x feeds the first neg, whose output feeds the next
    const x0 = items.find((i) => i.label === 'x (1)')!.id;
    const first = edges.find(([s]) => s === x0)![1];
    expect(edges).toContainEqual([first, `${first}_out`]);
  }, 60_000);

  test('a shared subexpression is one node; a leaf alone is one variable; labels are escaped', () => {
    const x = variable(tensor([1, 2]), { requiresGrad: true, name: 'say "x"' });
    const e = x.exp();
    const y = e.mul(e).add(e).sum();
    const g = graphOf(y);
    expect(
      g.items
        .filter((i) => i.kind === 'function')
        .map((i) => i.label)
        .sort(),
    ).toEqual(['add', 'exp', 'mul', 'sum']);
    expect(
      g.edges.filter(([s]) => g.items.find((i) => i.id === s)!.label === 'say "x" (2)'),
    ).toHaveLength(1);
    expect(toDot(y)).toContain('label="say \\"x\\" (2)"');
    expect(parseDot(toDot(y)).nodes.size).toBe(g.items.length);
    const leaf: Variable = variable(tensor([1]), { name: 'w' });
    expect(graphOf(leaf)).toEqual({
      items: [{ id: 'v0', kind: 'variable', label: 'w (1)' }],
      edges: [],
    });
  });
});

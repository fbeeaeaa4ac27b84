import { FunctionNode } from './node.js';
import { Variable } from './variable.js';

interface GraphItem {
  id: string;
  kind: 'variable' | 'constant' | 'function';
  label: string;
}

/** The graph that produced `root`, as variable and function nodes with edges, in the lecture's style:
 * every function node has its output variable, leaves and constants are variables too. */
export function graphOf(root: Variable): {
  /** Every variable, constant and function node, each with an id, a kind and a label. */
  items: GraphItem[];
  /** [from, to] pairs of ids, in the direction of the forward pass. */
  edges: [string, string][];
} {
  const items: GraphItem[] = [];
  const edges: [string, string][] = [];
  const ids = new Map<object, string>();
  const dims = (s: readonly number[]) => (s.length ? s.join('×') : 'scalar');
  const label = (name: string | undefined, shape: readonly number[]) =>
    name ? `${name} (${dims(shape)})` : dims(shape);
  const leaf = (v: Variable): string => {
    let id = ids.get(v);
    if (!id) {
      ids.set(v, (id = `v${ids.size}`));
      items.push({ id, kind: 'variable', label: label(v.name, v.shape) });
    }
    return id;
  };
  // Depth-first with an explicit stack (a graph of 100,000 nodes would overflow a recursive walk):
  // a node's items come when it is entered, the edge from each input once that input is drawn.
  const enter = (node: FunctionNode): string => {
    const fn = `f${ids.size}`;
    ids.set(node, fn);
    items.push({ id: fn, kind: 'function', label: node.name });
    items.push({ id: `${fn}_out`, kind: 'variable', label: label(node.output?.name, node.shape) });
    edges.push([fn, `${fn}_out`]);
    return fn;
  };
  const visit = (root: FunctionNode): void => {
    const stack: { node: FunctionNode; fn: string; i: number }[] = [
      { node: root, fn: enter(root), i: 0 },
    ];
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const { node, fn } = top;
      if (top.i === node.next.length) {
        stack.pop();
        continue;
      }
      const i = top.i++;
      const e = node.next[i];
      let src: string;
      if (e instanceof FunctionNode) {
        const known = ids.get(e);
        if (!known) {
          // draw the input first; come back to this edge afterwards
          top.i--;
          stack.push({ node: e, fn: enter(e), i: 0 });
          continue;
        }
        src = `${known}_out`;
      } else if (e instanceof Variable) src = leaf(e);
      else {
        src = `${fn}_in${i}`;
        const info = node.inputs[i]!;
        items.push({ id: src, kind: 'constant', label: label(info.name, info.shape) });
      }
      edges.push([src, fn]);
    }
  };
  if (root.gradFn) visit(root.gradFn);
  else leaf(root);
  return { items, edges };
}

const esc = (s: string) => s.replace(/"/g, '\\"');

/** Graphviz DOT: variables as ellipses (constants dashed), function nodes as boxes. */
export function toDot(root: Variable): string {
  const { items, edges } = graphOf(root);
  const lines = items.map(({ id, kind, label }) => {
    const style =
      kind === 'function'
        ? 'shape=box, style=filled, fillcolor="#dbeafe"'
        : kind === 'constant'
          ? 'shape=ellipse, style=dashed'
          : 'shape=ellipse';
    return `  ${id} [label="${esc(label)}", ${style}];`;
  });
  return [
    'digraph G {',
    '  rankdir=LR;',
    ...lines,
    ...edges.map(([a, b]) => `  ${a} -> ${b};`),
    '}',
  ].join('\n');
}

/** A Mermaid flowchart: variables as stadiums (constants dotted), function nodes as rectangles. */
export function toMermaid(root: Variable): string {
  const { items, edges } = graphOf(root);
  const lines = items.map(({ id, kind, label }) =>
    kind === 'function' ? `  ${id}["${esc(label)}"]` : `  ${id}(["${esc(label)}"])`,
  );
  const styles = items
    .filter((i) => i.kind === 'constant')
    .map((i) => `  style ${i.id} stroke-dasharray: 4 4`);
  return ['flowchart LR', ...lines, ...edges.map(([a, b]) => `  ${a} --> ${b}`), ...styles].join(
    '\n',
  );
}

// The walk the graph inspectors share (describeGraph, the DOT/Mermaid views): every op node below
// a root in post-order, iteratively so that deep graphs (long chains) cannot overflow the stack.

import type { Edge, Node } from "./node.js";

/**
 * The nodes reachable from `root` through Node.edges, each once, in post-order: every node after
 * the nodes it reads (a topological order, inputs first), `root` last. `visitEdge`, when given,
 * sees every edge of every node in the order the walk meets them (edges to leaves included).
 */
export function postOrder(root: Node, visitEdge?: (e: Edge) => void): Node[] {
  const order: Node[] = [];
  const visited = new Set<Node>([root]);
  const stack: { node: Node; next: number }[] = [{ node: root, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.node.edges.length) {
      const e = top.node.edges[top.next++]!;
      visitEdge?.(e);
      if (e.node && !visited.has(e.node)) {
        visited.add(e.node);
        stack.push({ node: e.node, next: 0 });
      }
    } else {
      order.push(top.node);
      stack.pop();
    }
  }
  return order;
}

// `descent demo chain-rule`: z = f(g(x)) with g(x) = x² + 1 and f(y) = 3y at x = 2; autograd
// recovers each local derivative and their product dz/dx = dz/dy · dy/dx = 12.

import { tensor } from "../../index.js";
import { columns } from "../format.js";
import { defineDemo, jsonOption, jsonOrText } from "./registry.js";

export interface ChainRuleResult {
  x: number;
  y: number;
  z: number;
  dydx: number;
  dzdy: number;
  dzdx: number;
  /** The closed form z = 3x² + 3 differentiated by hand: 6x. */
  sanity: number;
}

export function chainRuleResult(x0 = 2): ChainRuleResult {
  const x = tensor(x0, { dtype: "float64", requiresGrad: true });
  const y = x.pow(2).add(1); // g(x)
  const z = y.mul(3); // f(y)

  // dy/dx: backward from y alone, keeping the graph for the second pass through it.
  y.backward(undefined, { retainGraph: true });
  const dydx = x.grad!.item();
  x.grad = null;

  // dz/dx and dz/dy: backward from z, with y asked to keep its (non-leaf) gradient.
  y.retainGrad();
  z.backward();
  return { x: x0, y: y.item(), z: z.item(), dydx, dzdy: y.grad!.item(), dzdx: x.grad!.item(), sanity: 6 * x0 };
}

const rows = (items: readonly [string, string][]): string[] => columns(items.map(([k, v]) => [k, `= ${v}`]), { indent: "  " });

export function formatChainRule(r: ChainRuleResult): string {
  const ok = r.dzdx === r.sanity ? "matches" : "DOES NOT match";
  return [
    `Chain rule: z = f(g(x)) with g(x) = x² + 1 and f(y) = 3y, at x = ${r.x} (float64 autograd)`,
    "",
    ...rows([
      ["y = g(x) = x² + 1", `${r.y}`],
      ["z = f(y) = 3y", `${r.z}`],
      ["dy/dx = 2x", `${r.dydx}`],
      ["dz/dy = 3", `${r.dzdy}`],
      ["dz/dx = dz/dy · dy/dx", `${r.dzdy} × ${r.dydx} = ${r.dzdx}`],
    ]),
    "",
    `Sanity check: z = 3x² + 3, so dz/dx = 6x = ${r.sanity}; autograd's ${r.dzdx} ${ok}.`,
  ].join("\n");
}

export const chainRuleDemo = defineDemo<{ json?: boolean }>({
  name: "chain-rule",
  section: "Chain rule",
  summary: "dz/dx = dz/dy · dy/dx for z = 3(x² + 1) at x = 2, computed by autograd",
  options: [jsonOption],
  run: (o) => jsonOrText(chainRuleResult(), o.json, formatChainRule),
});

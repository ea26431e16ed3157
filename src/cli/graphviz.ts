// SVG through Graphviz: pipe DOT text into `dot -Tsvg` when the program is on PATH. Graphviz is an
// optional system tool (apt-get install graphviz); without it callers print the DOT text instead.

import { spawnSync } from "node:child_process";

export type SvgResult = { readonly ok: true; readonly svg: string } | { readonly ok: false; readonly reason: string };

/** Render DOT to SVG with Graphviz's `dot` found on PATH (or `env.PATH`). */
export function dotToSvg(dot: string, env: NodeJS.ProcessEnv = process.env): SvgResult {
  const r = spawnSync("dot", ["-Tsvg"], { input: dot, encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === "ENOENT" ? "Graphviz's `dot` was not found on PATH" : `running Graphviz's dot failed: ${r.error.message}` };
  }
  if (r.status !== 0) return { ok: false, reason: `Graphviz's dot exited with status ${r.status}: ${r.stderr.trim()}` };
  return { ok: true, svg: r.stdout };
}

/** What `--format svg` prints: the SVG, or a clear message and the DOT text to render elsewhere. */
export function svgOrDot(dot: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = dotToSvg(dot, env);
  if (r.ok) return r.svg;
  return [
    `# ${r.reason}; install Graphviz (e.g. apt-get install graphviz) for SVG output.`,
    "# The graph in DOT follows (render it with: dot -Tsvg graph.dot > graph.svg):",
    dot,
  ].join("\n");
}

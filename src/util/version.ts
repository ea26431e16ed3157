// Descent's own version, from its package.json (recorded in checkpoints and printed by the CLI).

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Descent's version from its package.json, found by walking up from this module's file, so it
 * works from src/ (ts-node style), dist/src/ and an installed node_modules/descent alike.
 */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (pkg.name === "descent" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // no (readable) package.json here; keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
}

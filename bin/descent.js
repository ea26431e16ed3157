#!/usr/bin/env node
// The `descent` command: runs the compiled CLI (built by `npm install` via the prepare script).
import("../dist/src/cli/main.js").catch((err) => {
  if (err && err.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("dist/src/cli")) {
    console.error("descent: the compiled CLI is missing; run `npm run build` first.");
    process.exit(1);
  }
  throw err;
});

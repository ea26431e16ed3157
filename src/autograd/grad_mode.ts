// Grad mode: whether ops record the graph. Scoped with try/finally so a throw never leaks the mode.

let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

function withGradMode<T>(mode: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = mode;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/** Run fn without recording the graph (like `with torch.no_grad()`). fn must be synchronous. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Run fn with recording on, even inside noGrad. fn must be synchronous. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

/** Set the mode globally and return the previous value; prefer noGrad/enableGrad. */
export function setGradEnabled(mode: boolean): boolean {
  const prev = enabled;
  enabled = mode;
  return prev;
}

// Module paths: which module (`transformer.h.2.attn`) is running forward right now, so the graph
// nodes it creates can say where they came from (anomaly errors, graph views, memory accounting).
// nn's Module pushes a frame around each forward while tracking is on; when it is off (the
// default) Module pays one boolean read per forward and nodes read one field: nothing else.

/** A module on the forward stack: the object (to resolve its children's names) and its dotted path. */
export interface ModuleFrame {
  readonly module: object;
  /** Dotted path from the outermost module on the stack; "" for that outermost module itself. */
  readonly path: string;
}

/** Shared mutable state, read directly by the hot paths (Module forward, Node constructor). */
export const moduleScope = {
  /** How many scopes asked for tracking; tracking is on while > 0. */
  users: 0,
  stack: [] as ModuleFrame[],
};

/** Whether module paths are being tracked. */
export function isModuleTrackingEnabled(): boolean {
  return moduleScope.users > 0;
}

/** Run fn with module-path tracking on (nested calls are fine). fn must be synchronous. */
export function trackModulePaths<T>(fn: () => T): T {
  moduleScope.users++;
  try {
    return fn();
  } finally {
    moduleScope.users--;
  }
}

/**
 * Turn tracking on until the returned function is called (for code that cannot wrap a callback,
 * e.g. a trainer flag spanning many steps). Calling the returned function twice is harmless.
 */
export function enableModuleTracking(): () => void {
  moduleScope.users++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    moduleScope.users--;
  };
}

/** The innermost running module's path; null when tracking is off or no module is running. */
export function currentModulePath(): string | null {
  if (moduleScope.users === 0) return null;
  const s = moduleScope.stack;
  return s.length === 0 ? null : s[s.length - 1]!.path;
}

/** The innermost running module frame, or undefined. */
export function currentModuleFrame(): ModuleFrame | undefined {
  const s = moduleScope.stack;
  return s[s.length - 1];
}

// nn.Module: the base of every layer. Parameters and submodules are found by walking a module's
// own enumerable properties in assignment order (so `this.fc = new Linear(...)` registers it);
// buffers (non-trainable state such as BatchNorm running stats) are registered explicitly.

import { fmt, shapesEqual } from "../shape/shape.js";
import { moduleScope } from "../autograd/module_scope.js";
import { zeroGradInPlace } from "../autograd/zeroed_grads.js";
import { Tensor } from "../tensor/tensor.js";
import { ValueError } from "../util/errors.js";
import { Parameter } from "./parameter.js";

/** Name → tensor, parameters and persistent buffers, in registration order. */
export type StateDict = Record<string, Tensor>;

/** loadStateDict problems: missing/unexpected keys or shape mismatches, listed in the message. */
export class StateDictError extends ValueError {
  constructor(
    message: string,
    readonly missingKeys: readonly string[],
    readonly unexpectedKeys: readonly string[],
    readonly mismatchedKeys: readonly string[],
  ) {
    super(message);
  }
}

export interface LoadStateDictResult {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/**
 * Registration rules: any own enumerable property holding a `Parameter` or a `Module` is a
 * parameter/child under that property's name, in the order the properties were first defined
 * (class fields in declaration order, then constructor assignments; integer-like names, used by
 * Sequential/ModuleList, come first in numeric order). A module's own parameters come before its
 * children's, as in PyTorch. Plain tensors are not parameters: wrap them in `new Parameter(t)` or
 * use `registerParameter`. Plain arrays of modules are not searched: use `ModuleList`. Buffers
 * need `registerBuffer(name, tensor)`. Subclasses define `forward(...)`; `call(...)` runs it.
 */
export abstract class Module {
  /** Training mode (Dropout drops, BatchNorm uses batch statistics); see train()/eval(). */
  training = true;
  // Non-enumerable bookkeeping so it never shows up as a child or parameter.
  declare private readonly bufferInfo: Map<string, { persistent: boolean }>;

  constructor() {
    Object.defineProperty(this, "bufferInfo", { value: new Map(), enumerable: false, writable: false });
    installForwardScope(this);
  }

  /** Run forward (a JS object cannot be called like a PyTorch module). */
  call<M extends { forward(...args: never[]): unknown }>(this: M, ...args: Parameters<M["forward"]>): ReturnType<M["forward"]> {
    return (this.forward as (...a: unknown[]) => unknown)(...args) as ReturnType<M["forward"]>;
  }

  /** Register `p` as parameter `name` (equivalent to assigning a Parameter to this[name]). */
  registerParameter<T extends Tensor>(name: string, p: T | null): T | null {
    this.checkName("registerParameter", name);
    if (p !== null && !(p instanceof Parameter)) {
      throw new ValueError(`registerParameter: "${name}" must be an nn.Parameter (wrap the tensor: new Parameter(t)), got a plain ${p instanceof Tensor ? "Tensor" : typeof p}`);
    }
    Object.defineProperty(this, name, { value: p, enumerable: true, writable: true, configurable: true });
    return p;
  }

  /** Register `m` as child module `name` (equivalent to assigning it to this[name]). */
  registerModule<M extends Module>(name: string, m: M | null): M | null {
    this.checkName("registerModule", name);
    if (m !== null && !(m instanceof Module)) throw new ValueError(`registerModule: "${name}" must be a Module or null, got ${typeof m}`);
    Object.defineProperty(this, name, { value: m, enumerable: true, writable: true, configurable: true });
    return m;
  }

  /** Register a buffer: state saved in stateDict() (unless persistent is false) but not trained. */
  registerBuffer(name: string, t: Tensor | null, opts: { persistent?: boolean } = {}): Tensor | null {
    this.checkName("registerBuffer", name);
    if (t !== null && !(t instanceof Tensor)) throw new ValueError(`registerBuffer: "${name}" must be a Tensor or null, got ${typeof t}`);
    if (t instanceof Parameter) throw new ValueError(`registerBuffer: "${name}" is a Parameter; buffers are plain tensors`);
    Object.defineProperty(this, name, { value: t, enumerable: false, writable: true, configurable: true });
    this.bufferInfo.set(name, { persistent: opts.persistent ?? true });
    return t;
  }

  private checkName(op: string, name: string): void {
    if (typeof name !== "string" || name === "" || name.includes(".")) {
      throw new ValueError(`${op}: name must be a non-empty string without ".", got ${JSON.stringify(name)}`);
    }
  }

  /** Own parameters (not recursing), in registration order. */
  private ownParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const key of Object.keys(this)) {
      const v = (this as unknown as Record<string, unknown>)[key];
      if (v instanceof Parameter) out.push([key, v]);
    }
    return out;
  }

  /** Direct children with their attribute names. */
  *namedChildren(): Generator<[string, Module]> {
    const seen = new Set<Module>();
    for (const key of Object.keys(this)) {
      const v = (this as unknown as Record<string, unknown>)[key];
      if (v instanceof Module && !seen.has(v)) {
        seen.add(v);
        yield [key, v];
      }
    }
  }

  *children(): Generator<Module> {
    for (const [, m] of this.namedChildren()) yield m;
  }

  /** This module and every descendant (each once), with dotted names; this one is "" (or prefix). */
  *namedModules(prefix = "", memo: Set<Module> = new Set()): Generator<[string, Module]> {
    if (memo.has(this)) return;
    memo.add(this);
    yield [prefix, this];
    for (const [name, child] of this.namedChildren()) {
      yield* child.namedModules(prefix ? `${prefix}.${name}` : name, memo);
    }
  }

  *modules(): Generator<Module> {
    for (const [, m] of this.namedModules()) yield m;
  }

  /** Every parameter once (shared ones under their first name), e.g. `blocks.0.attn.qkv.weight`. */
  *namedParameters(prefix = ""): Generator<[string, Parameter]> {
    const seen = new Set<Tensor>();
    for (const [modName, m] of this.namedModules(prefix)) {
      for (const [name, p] of m.ownParameters()) {
        if (seen.has(p)) continue;
        seen.add(p);
        yield [modName ? `${modName}.${name}` : name, p];
      }
    }
  }

  parameters(): Parameter[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }

  /** Registered buffers (non-null), with dotted names. */
  *namedBuffers(opts: { persistentOnly?: boolean } = {}): Generator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    for (const [modName, m] of this.namedModules()) {
      for (const [name, info] of m.bufferInfo) {
        const t = (m as unknown as Record<string, unknown>)[name];
        if (!(t instanceof Tensor) || seen.has(t) || (opts.persistentOnly && !info.persistent)) continue;
        seen.add(t);
        yield [modName ? `${modName}.${name}` : name, t];
      }
    }
  }

  buffers(): Tensor[] {
    return [...this.namedBuffers()].map(([, t]) => t);
  }

  /** Number of parameter elements (shared parameters counted once). */
  numParameters(opts: { trainableOnly?: boolean } = {}): number {
    let n = 0;
    for (const p of this.parameters()) if (!opts.trainableOnly || p.requiresGrad) n += p.numel;
    return n;
  }

  /** Set training mode on this module and all descendants. */
  train(mode = true): this {
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clear parameter gradients: null them (default) or fill them with zeros. */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    const setToNone = opts.setToNone ?? true;
    for (const p of this.parameters()) {
      if (setToNone) p.grad = null;
      else if (p.grad) zeroGradInPlace(p.grad);
    }
  }

  /** Call fn on every descendant, children before parents (like PyTorch), then return this. */
  apply(fn: (m: Module) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /**
   * Parameters and persistent buffers by dotted name. The tensors share storage with the module
   * (like PyTorch's detached state_dict tensors): copy them if the module keeps training.
   */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [name, p] of this.namedParameters()) out[name] = p.detach();
    for (const [name, b] of this.namedBuffers({ persistentOnly: true })) out[name] = b.detach();
    return out;
  }

  /**
   * Copy values from `state` (a stateDict() result, as a record or Map) into this module's
   * parameters and buffers. Shape mismatches always throw; with strict (default) missing and
   * unexpected keys throw too. All checks run before anything is copied. dtypes are converted.
   */
  loadStateDict(state: StateDict | ReadonlyMap<string, Tensor>, opts: { strict?: boolean } = {}): LoadStateDictResult {
    const strict = opts.strict ?? true;
    const entries = state instanceof Map ? [...state.entries()] : Object.entries(state as StateDict);
    const given = new Map<string, Tensor>(entries);
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !given.has(k));
    const unexpectedKeys = [...given.keys()].filter((k) => !(k in own));
    const mismatchedKeys: string[] = [];
    const mismatches: string[] = [];
    for (const [k, t] of given) {
      const mine = own[k];
      if (!mine) continue;
      if (t instanceof Tensor && shapesEqual(t.shape, mine.shape)) continue;
      mismatchedKeys.push(k);
      mismatches.push(t instanceof Tensor ? `${k} (checkpoint ${fmt(t.shape)}, model ${fmt(mine.shape)})` : `${k} (not a Tensor)`);
    }
    if (mismatchedKeys.length > 0 || (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0))) {
      const parts: string[] = [];
      if (missingKeys.length) parts.push(`missing keys: ${missingKeys.join(", ")}`);
      if (unexpectedKeys.length) parts.push(`unexpected keys: ${unexpectedKeys.join(", ")}`);
      if (mismatches.length) parts.push(`shape mismatches: ${mismatches.join(", ")}`);
      throw new StateDictError(`loadStateDict: ${parts.join("; ")} (nothing was loaded)`, missingKeys, unexpectedKeys, mismatchedKeys);
    }
    for (const [k, t] of given) {
      const mine = own[k];
      if (!mine) continue;
      mine.data.set(t.data);
      mine.markModified();
    }
    return { missingKeys, unexpectedKeys };
  }

  /** One-line-per-module summary, like PyTorch's repr. */
  toString(): string {
    const lines: string[] = [];
    const walk = (m: Module, name: string, depth: number): void => {
      const head = `${"  ".repeat(depth)}${name ? `(${name}): ` : ""}${m.constructor.name}(`;
      const kids = [...m.namedChildren()];
      if (kids.length === 0) {
        lines.push(`${head}${m.extraRepr()})`);
        return;
      }
      lines.push(head);
      for (const [n, c] of kids) walk(c, n, depth + 1);
      lines.push(`${"  ".repeat(depth)})`);
    };
    walk(this, "", 0);
    return lines.join("\n");
  }

  /** Constructor arguments shown by toString(). */
  protected extraRepr(): string {
    return "";
  }
}

// ---- Module paths -------------------------------------------------------------------------
// Each instance gets a non-enumerable own `forward` that calls the class's forward directly
// unless module-path tracking is on (autograd.trackModulePaths / detectAnomaly); then it pushes
// this module's dotted path (its name under the outermost running module, e.g.
// `transformer.h.2.attn`) for the duration of the call, so graph nodes record where they came from.

/** module -> (descendant -> its dotted name below module), built lazily, rebuilt on a miss. */
const descendantNames = new WeakMap<Module, Map<Module, string>>();

function namesBelow(m: Module, rebuild: boolean): Map<Module, string> {
  let names = descendantNames.get(m);
  if (names === undefined || rebuild) {
    names = new Map();
    for (const [name, d] of m.namedModules()) if (name !== "") names.set(d, name);
    descendantNames.set(m, names);
  }
  return names;
}

/** The dotted path of `m` given the modules running now; "" when it is the outermost one. */
function pathFor(m: Module): string {
  const stack = moduleScope.stack;
  if (stack.length === 0) return "";
  const top = stack[stack.length - 1]!;
  if (top.module === m) return top.path; // super.forward(...) or a module calling itself
  for (const rebuild of [false, true]) {
    for (let i = stack.length - 1; i >= 0; i--) {
      const frame = stack[i]!;
      const rel = namesBelow(frame.module as Module, rebuild).get(m);
      if (rel !== undefined) return frame.path === "" ? rel : `${frame.path}.${rel}`;
    }
  }
  // Not registered under any running module (e.g. a layer kept in a plain array): its class name.
  const own = `(${m.constructor.name})`;
  return top.path === "" ? own : `${top.path}.${own}`;
}

function installForwardScope(m: Module): void {
  const forward = (m as unknown as { forward?: unknown }).forward;
  if (typeof forward !== "function") return;
  const scoped = function (this: Module, ...args: unknown[]): unknown {
    if (moduleScope.users === 0) return forward.apply(this, args);
    moduleScope.stack.push({ module: this, path: pathFor(this) });
    try {
      return forward.apply(this, args);
    } finally {
      moduleScope.stack.pop();
    }
  };
  Object.defineProperty(m, "forward", { value: scoped, enumerable: false, writable: true, configurable: true });
}

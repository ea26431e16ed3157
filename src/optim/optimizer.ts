// The Optimizer base class: param groups with per-group hyperparameters, lazily created
// per-parameter state, validation before any update, zeroGrad, and stateDict round trips.

import type { FloatArray } from "../backend/backend.js";
import { enableGrad } from "../autograd/grad_mode.js";
import { zeroGradInPlace } from "../autograd/zeroed_grads.js";
import { fmt, shapesEqual } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { allocate, isFloat } from "../util/dtype.js";
import { DTypeError, ShapeError, ValueError } from "../util/errors.js";
import { checkOptionKeys } from "../util/options.js";
import { describeValue } from "../util/describe.js";

/** Hyperparameters are plain numbers/booleans/number pairs so groups can be serialized. */
export type HyperValue = number | boolean | readonly [number, number];
/** The shape every optimizer's hyperparameters fit (Tensor[] only so a group's `params` fits too). */
export type Hyper = { [key: string]: HyperValue | Tensor[] };

/** One param group as the user passes it: params plus optional per-group overrides. */
export type ParamGroupSpec<H extends Hyper> = { params: readonly Tensor[] } & Partial<H>;

/** Either a flat list of parameters or a list of param groups. */
export type ParamsInput<H extends Hyper> = Iterable<Tensor> | readonly ParamGroupSpec<H>[];

/** A resolved param group; its hyperparameters (e.g. `lr`) are writable and read on every step. */
export type ParamGroup<H extends Hyper> = H & { params: Tensor[] };

/** One parameter's share of a step: what update() takes. */
export interface StepItem<H extends Hyper> {
  param: Tensor;
  grad: Tensor;
  state: ParamState;
  group: ParamGroup<H>;
}

/** Per-parameter state: the step count and named buffers (same shape/dtype as the parameter). */
export interface ParamState {
  step: number;
  buffers: Record<string, Tensor>;
}

/** Serialized optimizer state; parameters are referenced by their index across all groups, like PyTorch. */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: (Record<string, HyperValue> & { params: number[] })[];
}

/** Invalid optimizer hyperparameters or state; the message names the optimizer and the value. */
export class OptimizerError extends ValueError {}

export function checkNumber(opt: string, name: string, value: unknown, min: number, max = Infinity, maxInclusive = true): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || (maxInclusive ? value > max : value >= max)) {
    const range = max === Infinity ? `>= ${min}` : `in [${min}, ${max}${maxInclusive ? "]" : ")"}`;
    throw new OptimizerError(`${opt}: invalid ${name} ${String(value)}; expected a finite number ${range}`);
  }
}

export function checkBool(opt: string, name: string, value: unknown): void {
  if (typeof value !== "boolean") throw new OptimizerError(`${opt}: invalid ${name} ${String(value)}; expected true or false`);
}

function isGroupList<H extends Hyper>(params: ParamsInput<H>): params is readonly ParamGroupSpec<H>[] {
  return Array.isArray(params) && params.length > 0 && !(params[0] instanceof Tensor);
}

function cloneTensor(t: Tensor): Tensor {
  return new Tensor(t.data.slice(), t.shape);
}

/** A zero-filled tensor with `p`'s shape and dtype (a fresh state buffer). */
function zerosLike(p: Tensor): Tensor {
  return new Tensor(allocate(p.dtype, p.numel), p.shape);
}

export abstract class Optimizer<H extends Hyper = Hyper> {
  readonly paramGroups: ParamGroup<H>[] = [];
  readonly defaults: Readonly<H>;
  /** Lazily created per-parameter state, keyed by the parameter tensor. */
  protected readonly state = new Map<Tensor, ParamState>();

  constructor(readonly name: string, params: ParamsInput<H>, defaults: H) {
    if (params instanceof Tensor || typeof (params as Iterable<Tensor> | null)?.[Symbol.iterator] !== "function") {
      throw new OptimizerError(`${name}: params must be an iterable of tensors or a list of param groups, got ${params instanceof Tensor ? "a single Tensor (wrap it: [t])" : String(params)}`);
    }
    this.validateHyper(defaults);
    this.defaults = Object.freeze({ ...defaults });
    const specs: ParamGroupSpec<H>[] = isGroupList(params)
      ? [...params]
      : [{ params: [...(params as Iterable<Tensor>)] } as unknown as ParamGroupSpec<H>];
    specs.forEach((g, i) => {
      if (!g || typeof g !== "object" || !Array.isArray(g.params)) {
        throw new OptimizerError(`${name}: param group ${i} must be { params: Tensor[], ... } or the params a list of Tensors, got ${describeValue(g)}`);
      }
    });
    if (specs.length === 0 || specs.every((g) => g.params.length === 0)) {
      throw new OptimizerError(`${name}: got an empty parameter list`);
    }
    for (const spec of specs) this.addParamGroup(spec);
  }

  /** Add a group; unspecified hyperparameters take the optimizer's defaults. */
  addParamGroup(spec: ParamGroupSpec<H>): void {
    if (!spec || !Array.isArray(spec.params)) {
      throw new OptimizerError(`${this.name}: a param group needs a "params" array of tensors`);
    }
    const gi = this.paramGroups.length;
    const seen = new Set(this.paramGroups.flatMap((g) => g.params));
    const params: Tensor[] = [];
    spec.params.forEach((p, i) => {
      const which = `group ${gi} parameter ${i}`;
      if (!(p instanceof Tensor)) throw new OptimizerError(`${this.name}: ${which} is not a Tensor (got ${p === null ? "null" : typeof p})`);
      if (!isFloat(p.dtype)) throw new DTypeError(`${this.name}: can only optimize floating-point tensors, ${which} has dtype ${p.dtype}`);
      if (!p.isLeaf) throw new OptimizerError(`${this.name}: can't optimize a non-leaf tensor (${which}, shape ${fmt(p.shape)})`);
      if (seen.has(p)) throw new OptimizerError(`${this.name}: ${which} (shape ${fmt(p.shape)}) appears in more than one group or twice`);
      seen.add(p);
      params.push(p);
    });
    const group = { ...this.defaults } as Record<string, unknown>;
    for (const [k, v] of Object.entries(spec)) {
      if (k === "params") continue;
      if (!(k in this.defaults)) throw new OptimizerError(`${this.name}: unknown hyperparameter "${k}" in param group ${gi}`);
      group[k] = v;
    }
    this.validateHyper(group as H);
    group["params"] = params;
    this.paramGroups.push(group as ParamGroup<H>);
  }

  /** Throw an OptimizerError naming the optimizer and the bad value. */
  protected abstract validateHyper(h: H): void;

  /** Update one parameter in place; `state` is this parameter's (lazily created) state. */
  protected abstract update(param: Tensor, grad: Tensor, state: ParamState, group: ParamGroup<H>): void;

  /**
   * Update every parameter of one step (all checks have passed). Default: update() on each in
   * order; an optimizer with a multi-tensor kernel overrides it to make one backend call.
   */
  protected updateAll(items: readonly StepItem<H>[]): void {
    for (const { param, grad, state, group } of items) this.update(param, grad, state, group);
  }

  /** Names of the state buffers a parameter gets under `group`'s hyperparameters. */
  protected abstract bufferNames(hyper: H): string[];

  /**
   * Every buffer name this optimizer can create under any hyperparameters (a group's settings
   * may change after its buffers exist); loadStateDict rejects any other name. Defaults to
   * bufferNames(hyper) for optimizers that do not override it.
   */
  protected knownBufferNames(hyper: H): readonly string[] {
    return this.bufferNames(hyper);
  }

  /**
   * One optimization step over every parameter with a gradient. Everything is checked first
   * (hyperparameters, gradient shapes and dtypes), so a failing step changes nothing.
   * `closure` (re-evaluates the loss with grad enabled) is called first when given.
   */
  step(closure?: () => Tensor | number): Tensor | number | undefined {
    let loss: Tensor | number | undefined;
    if (closure) loss = enableGrad(closure);
    const work: [Tensor, Tensor, ParamGroup<H>][] = [];
    this.paramGroups.forEach((group, gi) => {
      this.validateHyper(group);
      group.params.forEach((p, pi) => {
        const g = p.grad;
        if (g === null) return;
        if (!shapesEqual(g.shape, p.shape)) {
          throw new ShapeError(`${this.name}.step: group ${gi} parameter ${pi} has shape ${fmt(p.shape)} but its grad has shape ${fmt(g.shape)}`);
        }
        if (g.dtype !== p.dtype) {
          throw new DTypeError(`${this.name}.step: group ${gi} parameter ${pi} is ${p.dtype} but its grad is ${g.dtype}`);
        }
        work.push([p, g, group]);
      });
    });
    const items = work.map(([param, grad, group]): StepItem<H> => {
      let state = this.state.get(param);
      if (!state) {
        state = { step: 0, buffers: {} };
        this.state.set(param, state);
      }
      return { param, grad, state, group };
    });
    this.updateAll(items);
    // Graphs recorded before this step must not backward through the new values.
    for (const { param } of items) param.markModified();
    return loss;
  }

  /** Get (creating zero-filled on first use) the named state buffer of a parameter. */
  protected buffer(param: Tensor, state: ParamState, name: string): FloatArray {
    let b = state.buffers[name];
    if (!b) {
      b = zerosLike(param);
      state.buffers[name] = b;
    }
    return b.data as FloatArray;
  }

  /**
   * Clear gradients: null them (default, like PyTorch) or fill them with zeros, which the next
   * backward then writes each parameter's gradient into directly (no second buffer, no add).
   */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    checkOptionKeys(`${this.name}.zeroGrad`, opts, ["setToNone"]);
    const setToNone = opts.setToNone ?? true;
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        if (setToNone) p.grad = null;
        else if (p.grad) zeroGradInPlace(p.grad);
      }
    }
  }

  /** A deep copy of the state and the group hyperparameters; parameters are referred to by index. */
  stateDict(): OptimizerStateDict {
    const state: Record<number, ParamState> = {};
    const paramGroups: OptimizerStateDict["paramGroups"] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      const ids: number[] = [];
      for (const p of group.params) {
        const st = this.state.get(p);
        if (st) {
          const buffers: Record<string, Tensor> = {};
          for (const [k, t] of Object.entries(st.buffers)) buffers[k] = cloneTensor(t);
          state[index] = { step: st.step, buffers };
        }
        ids.push(index++);
      }
      const hyper: Record<string, HyperValue> = {};
      for (const [k, v] of Object.entries(group)) {
        if (k !== "params") hyper[k] = Array.isArray(v) ? ([...v] as unknown as HyperValue) : (v as HyperValue);
      }
      paramGroups.push(Object.assign(hyper, { params: ids }));
    }
    return { state, paramGroups };
  }

  /** Restore a stateDict() result. Everything is validated before anything changes. */
  loadStateDict(sd: OptimizerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    if (!sd || !Array.isArray(sd.paramGroups) || typeof sd.state !== "object" || sd.state === null) {
      throw new OptimizerError(`${where}: expected { state, paramGroups }`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new OptimizerError(`${where}: the saved state has ${sd.paramGroups.length} param groups, this optimizer has ${this.paramGroups.length}`);
    }
    const byIndex = new Map<number, Tensor>();
    const groupOf = new Map<number, number>();
    const newHypers: H[] = [];
    let index = 0;
    sd.paramGroups.forEach((saved, gi) => {
      const group = this.paramGroups[gi]!;
      if (!Array.isArray(saved.params) || saved.params.length !== group.params.length) {
        throw new OptimizerError(`${where}: group ${gi} has ${saved.params?.length} saved params but ${group.params.length} here`);
      }
      saved.params.forEach((id, pi) => {
        if (!Number.isInteger(id) || byIndex.has(id)) {
          throw new OptimizerError(`${where}: group ${gi} param id ${String(id)} is not an integer or is used twice`);
        }
        byIndex.set(id, group.params[pi]!);
        groupOf.set(id, gi);
      });
      const hyper = { ...this.defaults } as Record<string, unknown>;
      for (const [k, v] of Object.entries(saved)) {
        if (k === "params") continue;
        if (!(k in this.defaults)) throw new OptimizerError(`${where}: unknown hyperparameter "${k}" in saved group ${gi}`);
        hyper[k] = Array.isArray(v) ? [...v] : v;
      }
      this.validateHyper(hyper as H);
      newHypers.push(hyper as H);
      index += group.params.length;
    });
    const newState = new Map<Tensor, ParamState>();
    for (const [key, st] of Object.entries(sd.state)) {
      const id = Number(key);
      const p = byIndex.get(id);
      if (!p) throw new OptimizerError(`${where}: state refers to parameter ${key}, but there are only ${index} parameters`);
      if (!st || !Number.isInteger(st.step) || st.step < 0 || typeof st.buffers !== "object" || st.buffers === null) {
        throw new OptimizerError(`${where}: state of parameter ${key} needs a non-negative integer step and a buffers object, got step ${String(st?.step)}`);
      }
      const buffers: Record<string, Tensor> = {};
      const known = this.knownBufferNames(newHypers[groupOf.get(id)!]!);
      for (const [name, t] of Object.entries(st.buffers)) {
        if (!known.includes(name)) {
          throw new OptimizerError(`${where}: state of parameter ${key} has unknown buffer "${name}"; ${this.name} keeps ${known.length > 0 ? known.join(", ") : "no buffers"}`);
        }
        if (!(t instanceof Tensor)) throw new OptimizerError(`${where}: buffer "${name}" of parameter ${key} is not a Tensor`);
        if (!shapesEqual(t.shape, p.shape)) {
          throw new ShapeError(`${where}: buffer "${name}" of parameter ${key} has shape ${fmt(t.shape)}, expected ${fmt(p.shape)}`);
        }
        const copy = zerosLike(p); // the parameter's dtype; the saved values are converted
        copy.data.set(t.data);
        buffers[name] = copy;
      }
      const expected = this.bufferNames(newHypers[groupOf.get(id)!]!);
      const missing = st.step > 0 ? expected.filter((n) => !(n in buffers)) : [];
      if (missing.length > 0) throw new OptimizerError(`${where}: state of parameter ${key} lacks buffer(s) ${missing.join(", ")}`);
      newState.set(p, { step: st.step, buffers });
    }
    // Validated: apply.
    newHypers.forEach((h, gi) => Object.assign(this.paramGroups[gi]!, h));
    this.state.clear();
    for (const [p, st] of newState) this.state.set(p, st);
  }

  /** The state of one parameter (read-only use: tests, debugging), or undefined before its first step. */
  getState(param: Tensor): Readonly<ParamState> | undefined {
    return this.state.get(param);
  }
}

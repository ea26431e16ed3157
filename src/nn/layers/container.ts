// Containers: Sequential (children "0", "1", ... applied in order) and ModuleList (an indexable,
// iterable list of registered modules, for stacks such as transformer blocks).

import type { Tensor } from "../../tensor/tensor.js";
import { IndexError, ValueError } from "../../util/errors.js";
import { Module } from "../module.js";
import { describeValue } from "../../util/describe.js";

/** A module whose forward maps one tensor to one tensor (what Sequential chains). */
export type TensorModule = Module & { forward(x: Tensor): Tensor };

export class ModuleList<M extends Module = Module> extends Module {
  private count = 0;

  constructor(modules: Iterable<M> = []) {
    super();
    if (typeof (modules as Iterable<M> | null)?.[Symbol.iterator] !== "function") {
      throw new ValueError(`${new.target.name}: modules must be an iterable of Modules, got ${describeValue(modules)}`);
    }
    for (const m of modules) this.append(m);
  }

  get length(): number {
    return this.count;
  }

  append(m: M): this {
    if (!(m instanceof Module)) throw new ValueError(`${this.constructor.name}.append: expected a Module, got ${typeof m}`);
    this.registerModule(String(this.count), m);
    this.count++;
    return this;
  }

  /** The i-th module (negative counts from the end). */
  at(i: number): M {
    const j = i < 0 ? i + this.count : i;
    if (!Number.isInteger(j) || j < 0 || j >= this.count) {
      throw new IndexError(`${this.constructor.name}.at: index ${i} out of range for ${this.count} modules`);
    }
    return (this as unknown as Record<string, M>)[String(j)]!;
  }

  *[Symbol.iterator](): Iterator<M> {
    for (let i = 0; i < this.count; i++) yield this.at(i);
  }
}

export class Sequential extends ModuleList<TensorModule> {
  constructor(...modules: TensorModule[]) {
    super(modules);
  }

  forward(x: Tensor): Tensor {
    let h = x;
    for (const m of this) h = m.forward(h);
    return h;
  }
}

// Tensor: contiguous row-major storage in a typed array, a shape, a dtype, and autograd fields.
// Op methods (x.add, x.sum, ...) are attached by src/ops; backward() by src/autograd.

import { type Shape, fmt, numel, shapesEqual } from "../shape/shape.js";
import { BFloat16Bits, type DType, Float16Bits, type TypedArray, dtypeOfArray, isFloat } from "../util/dtype.js";
import { describeValue } from "../util/describe.js";
import { fromBFloat16Bits, fromFloat16Bits } from "../util/half.js";
import { DTypeError, IndexError, ShapeError, ValueError } from "../util/errors.js";
import { formatTensor } from "./format.js";

/** A node of the autograd graph; its fields are declared by src/autograd/node.ts. */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface GradNode {}

/** Called with a tensor's gradient; may return a replacement. */
export type GradHook = (grad: Tensor) => Tensor | void;

export interface HookHandle {
  remove(): void;
}

/** Nested arrays of numbers (booleans for bool tensors, and accepted by tensor()). */
export type NestedArray = number | boolean | NestedArray[];

/** Counts in-place writes to one storage array; every tensor viewing that array shares it. */
export interface VersionCounter {
  value: number;
}

const versionCounters = new WeakMap<TypedArray, VersionCounter>();

/** The version counter of a storage array (created on first use; held weakly). */
export function versionCounterOf(data: TypedArray): VersionCounter {
  let c = versionCounters.get(data);
  if (!c) {
    c = { value: 0 };
    versionCounters.set(data, c);
  }
  return c;
}

/** Element i of a storage array as a number: float16/bfloat16 bit patterns are decoded. */
export function valueAt(data: TypedArray, i: number): number {
  if (data instanceof Float16Bits) return fromFloat16Bits(data[i]!);
  if (data instanceof BFloat16Bits) return fromBFloat16Bits(data[i]!);
  return data[i]!;
}

export class Tensor {
  /** Contiguous row-major storage. Shared (not copied) by detach() and view(). */
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
  private gradValue: Tensor | null = null;
  /** The node that produced this tensor, or null for a leaf. */
  gradFn: GradNode | null = null;
  /** Hooks of a leaf tensor; run on its total gradient before accumulation. */
  readonly leafHooks: GradHook[] = [];
  /** Optional label shown by graph printing and error messages. */
  name: string | null = null;
  private requiresGradFlag = false;

  constructor(data: TypedArray, shape: Shape) {
    if (numel(shape) !== data.length) {
      throw new ShapeError(`Tensor: shape ${fmt(shape)} needs ${numel(shape)} elements but the data has ${data.length}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtypeOfArray(data);
  }

  get ndim(): number {
    return this.shape.length;
  }

  get numel(): number {
    return this.data.length;
  }

  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /**
   * Accumulated gradient of a leaf after backward(); assignable (e.g. `w.grad = null`). Like
   * PyTorch, an assigned gradient must be null or a Tensor of this tensor's shape and dtype.
   */
  get grad(): Tensor | null {
    return this.gradValue;
  }

  set grad(value: Tensor | null) {
    if (value !== null) {
      if (!(value instanceof Tensor)) {
        throw new DTypeError(`grad: assigned grad must be a Tensor or null, got ${describeValue(value)}`);
      }
      if (value === this) throw new ValueError("grad: cannot assign a tensor as its own grad");
      if (value.dtype !== this.dtype) {
        throw new DTypeError(`grad: assigned grad has dtype ${value.dtype}, but the tensor has dtype ${this.dtype}`);
      }
      if (!shapesEqual(value.shape, this.shape)) {
        throw new ShapeError(`grad: assigned grad has shape ${fmt(value.shape)}, but the tensor has shape ${fmt(this.shape)}`);
      }
    }
    this.gradValue = value;
  }

  get requiresGrad(): boolean {
    return this.requiresGradFlag;
  }

  set requiresGrad(value: boolean) {
    if (value && !isFloat(this.dtype)) {
      throw new DTypeError(`requiresGrad: only floating-point tensors can require gradients, got dtype ${this.dtype}`);
    }
    if (!value && !this.isLeaf) {
      throw new ValueError("requiresGrad: cannot turn off requiresGrad on a non-leaf tensor; use detach()");
    }
    this.requiresGradFlag = value;
  }

  /** Set requiresGrad in place and return this (PyTorch's requires_grad_). */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /** Internal: mark an op output as part of the graph. */
  setGradFn(node: GradNode | null): void {
    this.gradFn = node;
    this.requiresGradFlag = node !== null;
  }

  /** Size of one dimension (negative counts from the end), or the whole shape. */
  size(): readonly number[];
  size(dim: number): number;
  size(dim?: number): number | readonly number[] {
    if (dim === undefined) return this.shape;
    const d = dim < 0 ? dim + this.ndim : dim;
    const s = this.shape[d];
    if (s === undefined) throw new IndexError(`size: dimension ${dim} out of range for shape ${fmt(this.shape)}`);
    return s;
  }

  /** The single value of a one-element tensor (1 or 0 for bool; float16/bfloat16 decoded exactly). */
  item(): number {
    if (this.data.length !== 1) {
      throw new ShapeError(`item: only one-element tensors can be converted to a number, got shape ${fmt(this.shape)}`);
    }
    return valueAt(this.data, 0);
  }

  /** Nested arrays (a number for a 0-d tensor); bool tensors give booleans, like PyTorch's tolist(). */
  toArray(): NestedArray {
    const isBool = this.dtype === "bool";
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.ndim) return isBool ? this.data[offset] !== 0 : valueAt(this.data, offset);
      const stride = numel(this.shape.slice(dim + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[dim]!; i++) out.push(build(dim + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /** A new leaf sharing this tensor's storage, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** How many in-place writes this tensor's storage has had (see markModified()). */
  get version(): number {
    return versionCounters.get(this.data)?.value ?? 0;
  }

  /**
   * Record that the storage was written in place (optimizer steps, init, loadStateDict do this).
   * A graph that saved this tensor before the write refuses to run backward instead of silently
   * using the new values.
   */
  markModified(): this {
    versionCounterOf(this.data).value++;
    return this;
  }

  toString(): string {
    return formatTensor(this);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

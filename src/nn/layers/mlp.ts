// MLP: Linear layers of the given sizes with an activation (and optional dropout) between them,
// none after the last layer. Children are numbered like a Sequential. A Linear directly followed by
// a GELU or ReLU runs as one fused op (linearGelu, linearRelu: bias and activation in the GEMM
// epilogue), same values.

import { markGraphOwned } from "../../autograd/saved_memory.js";
import { linearGelu, linearRelu } from "../../ops/linear_activation.js";
import type { Tensor } from "../../tensor/tensor.js";
import { ValueError } from "../../util/errors.js";
import { GELU, Dropout, ReLU, Sigmoid, Tanh } from "./activation.js";
import { type TensorModule, Sequential } from "./container.js";
import { type LayerOptions, Linear } from "./linear.js";
import { checkOptionKeys, optionNames } from "../../util/options.js";

export type ActivationName = "relu" | "gelu" | "tanh" | "sigmoid";

export interface MLPOptions extends LayerOptions {
  /** Activation between layers: a name or a factory (default "relu"). */
  activation?: ActivationName | (() => TensorModule);
  /** Dropout probability after each activation (default 0: no Dropout modules). */
  dropout?: number;
  bias?: boolean;
}

function makeActivation(a: ActivationName | (() => TensorModule)): TensorModule {
  if (typeof a === "function") return a();
  switch (a) {
    case "relu": return new ReLU();
    case "gelu": return new GELU();
    case "tanh": return new Tanh();
    case "sigmoid": return new Sigmoid();
    default: throw new ValueError(`MLP: unknown activation "${String(a)}" (expected relu, gelu, tanh, sigmoid or a factory)`);
  }
}

/** Layer classes whose forward keeps no reference to its input or output (see MLP.forward). */
const STOCK_LAYERS: ReadonlySet<unknown> = new Set<unknown>([Linear, ReLU, GELU, Tanh, Sigmoid, Dropout]);

export class MLP extends Sequential {
  /** sizes = [in, hidden..., out], at least two entries. */
  constructor(readonly sizes: readonly number[], opts: MLPOptions = {}) {
    super();
    checkOptionKeys("MLP", opts, optionNames<MLPOptions>({ dtype: true, generator: true, activation: true, dropout: true, bias: true }));
    if (!Array.isArray(sizes) || sizes.length < 2) throw new ValueError(`MLP: sizes needs at least [in, out], got ${JSON.stringify(sizes)}`);
    const p = opts.dropout ?? 0;
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new ValueError(`MLP: dropout must be between 0 and 1, got ${String(p)}`);
    for (let i = 0; i + 1 < sizes.length; i++) {
      this.append(new Linear(sizes[i]!, sizes[i + 1]!, { bias: opts.bias ?? true, dtype: opts.dtype, generator: opts.generator }));
      if (i + 2 < sizes.length) {
        this.append(makeActivation(opts.activation ?? "relu"));
        if (p > 0) this.append(new Dropout(p, opts.generator ? { generator: opts.generator } : {}));
      }
    }
  }

  override forward(x: Tensor): Tensor {
    const layers = [...this];
    // With only this library's own layers (none swapped, added or subclassed), nothing keeps a
    // reference to the activations between layers: they are temporaries only graph nodes see, and
    // their storage goes back to the buffer pool after backward instead of to the GC.
    const stock = this.constructor === MLP && layers.every((m) => STOCK_LAYERS.has(m.constructor));
    let h = x;
    for (let i = 0; i < layers.length; i++) {
      const m = layers[i]!, next = layers[i + 1];
      if (m.constructor === Linear && next?.constructor === GELU) {
        const lin = m as Linear;
        h = linearGelu(h, lin.weight, lin.bias, { approximate: (next as GELU).approximate });
        i++;
      } else if (m.constructor === Linear && next?.constructor === ReLU) {
        const lin = m as Linear;
        h = linearRelu(h, lin.weight, lin.bias);
        i++;
      } else h = m.forward(h);
      if (stock && i < layers.length - 1 && h !== x) markGraphOwned(h);
    }
    return h;
  }
}

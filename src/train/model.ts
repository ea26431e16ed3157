// What the trainer needs from a model: the CausalLM contract on an nn.Module, plus the optional
// extras GPT provides (AdamW weight-decay groups, a FLOPs-per-token estimate for MFU).

import type { CausalLM } from "../models/language_model.js";
import type { Module } from "../nn/module.js";
import type { Tensor } from "../tensor/tensor.js";

export type TrainableModel = Module & CausalLM & {
  /** AdamW param groups (nanoGPT: decay on ndim >= 2, none on the rest); the trainer builds them itself when absent. */
  optimizerGroups?(weightDecay: number): { params: Tensor[]; weightDecay: number }[];
  /** Training FLOPs per token at context T, for the MFU figure. */
  flopsPerToken?(T?: number): number;
};

/** nanoGPT's decay rule for models without optimizerGroups: weight decay on parameters with 2+ dims. */
export function weightDecayGroups(model: TrainableModel, weightDecay: number): { params: Tensor[]; weightDecay: number }[] {
  if (model.optimizerGroups) return model.optimizerGroups(weightDecay);
  const ps = model.parameters().filter((p) => p.requiresGrad);
  return [
    { params: ps.filter((p) => p.ndim >= 2), weightDecay },
    { params: ps.filter((p) => p.ndim < 2), weightDecay: 0 },
  ];
}

// A nanoGPT-layout model for the benchmark only, used while `models.GPT` is not in this branch:
// token + position embeddings, pre-LN blocks (fused c_attn, causal scaledDotProductAttention,
// c_proj; 4x GELU MLP), final LayerNorm, lm_head tied to the token embedding. No dropout.
import { nn, type Tensor } from "../src/index.js";

export interface GptShape { nLayer: number; nHead: number; nEmbd: number; blockSize: number; vocabSize: number }

const F = nn.functional;

class Block extends nn.Module {
  ln_1: nn.LayerNorm; c_attn: nn.Linear; attn_proj: nn.Linear;
  ln_2: nn.LayerNorm; c_fc: nn.Linear; mlp_proj: nn.Linear;
  constructor(readonly cfg: GptShape) {
    super();
    const C = cfg.nEmbd;
    this.ln_1 = new nn.LayerNorm(C);
    this.c_attn = new nn.Linear(C, 3 * C);
    this.attn_proj = new nn.Linear(C, C);
    this.ln_2 = new nn.LayerNorm(C);
    this.c_fc = new nn.Linear(C, 4 * C);
    this.mlp_proj = new nn.Linear(4 * C, C);
  }
  forward(x: Tensor): Tensor {
    const [B, T, C] = x.shape as [number, number, number];
    const H = this.cfg.nHead;
    const qkv = this.c_attn.forward(this.ln_1.forward(x)); // (B, T, 3C)
    const [q, k, v] = qkv.split(C, 2).map((t) => t.view([B, T, H, C / H]).transpose(1, 2)); // (B, H, T, hs)
    const y = F.scaledDotProductAttention(q!, k!, v!, { isCausal: true }).transpose(1, 2).reshape([B, T, C]);
    x = x.add(this.attn_proj.forward(y));
    return x.add(this.mlp_proj.forward(this.c_fc.forward(this.ln_2.forward(x)).gelu()));
  }
}

export class BenchGPT extends nn.Module {
  wte: nn.Embedding; wpe: nn.Embedding; h: nn.ModuleList<Block>; ln_f: nn.LayerNorm;
  constructor(readonly cfg: GptShape) {
    super();
    this.wte = new nn.Embedding(cfg.vocabSize, cfg.nEmbd);
    this.wpe = new nn.Embedding(cfg.blockSize, cfg.nEmbd);
    this.h = new nn.ModuleList(Array.from({ length: cfg.nLayer }, () => new Block(cfg)));
    this.ln_f = new nn.LayerNorm(cfg.nEmbd);
  }
  /** idx, targets (B, T) int32 -> mean cross-entropy. */
  loss(idx: Tensor, targets: Tensor, pos: Tensor): Tensor {
    let x = this.wte.forward(idx).add(this.wpe.forward(pos));
    for (const b of this.h) x = b.forward(x);
    const logits = F.linear(this.ln_f.forward(x), this.wte.weight); // (B, T, V), tied weights
    return F.crossEntropy(logits.view([-1, this.cfg.vocabSize]), targets.view([-1]));
  }
}

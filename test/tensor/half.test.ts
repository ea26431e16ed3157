// float16 and bfloat16: 16-bit storage, round-to-nearest-even conversion checked bit for bit
// against PyTorch (test/fixtures/torch_dtypes_reference.json, written by
// tools/torch_dtypes_reference.py), arithmetic in float32 rounded once, PyTorch's promotion.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import {
  BFloat16Bits, type DType, DTypeError, Float16Bits, Generator, full, io, nn, ones, optim, promoteTypes, randn, tensor, zeros,
} from "../../src/index.js";
import {
  f16ToF32Bits, f32BitsToBF16, f32BitsToF16, fromBFloat16Bits, fromFloat16Bits, toBFloat16Bits, toFloat16Bits,
} from "../../src/util/half.js";

interface Fixture {
  conversions: { float32Bits: number[]; float16: number[]; bfloat16: number[] };
  float64Conversions: { values: number[]; float16: number[]; bfloat16: number[] };
  ops: Record<"float16" | "bfloat16", Record<string, number[]>>;
  promotion: [DType, DType, DType][];
  scalarPromotion: [DType, number, DType][];
}
const fx = JSON.parse(readFileSync(new URL("../../../test/fixtures/torch_dtypes_reference.json", import.meta.url), "utf8")) as Fixture;

const isF16NaN = (h: number): boolean => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
const isBF16NaN = (h: number): boolean => (h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0;
const hex = (x: number): string => "0x" + x.toString(16);

/** Compare 16-bit patterns; where PyTorch gave a NaN, Descent must give its canonical NaN of the same sign for float16. */
function sameBits(format: "float16" | "bfloat16", got: ArrayLike<number>, want: number[], inputs: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!, w = want[i]!;
    const nan = format === "float16" ? isF16NaN(w) : isBF16NaN(w);
    if (nan) {
      assert.ok(format === "float16" ? isF16NaN(g) : isBF16NaN(g), `${what}[${i}] input ${hex(inputs[i]!)}: want NaN, got ${hex(g)}`);
      assert.equal(g & 0x7fff, format === "float16" ? 0x7e00 : 0x7fc0, `${what}[${i}]: canonical quiet NaN`);
    } else assert.equal(g, w, `${what}[${i}] input ${hex(inputs[i]!)}: want ${hex(w)}, got ${hex(g)}`);
  }
}

function fromF32Bits(bits: number[]): Float32Array {
  return new Float32Array(Uint32Array.from(bits).buffer);
}

describe("float16/bfloat16 conversion matches PyTorch bit for bit", () => {
  const bits = fx.conversions.float32Bits;
  it(`${bits.length} float32 patterns (edges, halfway cases, subnormals, random) via to()`, () => {
    const src = tensor(fromF32Bits(bits));
    const h = src.to("float16"), bf = src.to("bfloat16");
    assert.ok(h.data instanceof Float16Bits && bf.data instanceof BFloat16Bits);
    sameBits("float16", h.data, fx.conversions.float16, bits, "float16");
    sameBits("bfloat16", bf.data, fx.conversions.bfloat16, bits, "bfloat16");
  });

  it("the scalar reference functions agree with the tensor casts", () => {
    sameBits("float16", bits.map(f32BitsToF16), fx.conversions.float16, bits, "f32BitsToF16");
    sameBits("bfloat16", bits.map(f32BitsToBF16), fx.conversions.bfloat16, bits, "f32BitsToBF16");
  });

  it("float64 sources round through float32 first, as PyTorch does", () => {
    const v = fx.float64Conversions.values;
    const src = tensor(v, { dtype: "float64" });
    sameBits("float16", src.to("float16").data, fx.float64Conversions.float16, v, "f64->float16");
    sameBits("bfloat16", src.to("bfloat16").data, fx.float64Conversions.bfloat16, v, "f64->bfloat16");
    // tensor() with a half dtype takes the same path.
    sameBits("float16", tensor(v, { dtype: "float16" }).data, fx.float64Conversions.float16, v, "tensor(float16)");
  });

  it("named edge values", () => {
    assert.equal(toFloat16Bits(65504), 0x7bff);
    assert.equal(toFloat16Bits(65519.99), 0x7bff);
    assert.equal(toFloat16Bits(65520), 0x7c00); // halfway to the next (absent) value: rounds to Inf
    assert.equal(toFloat16Bits(65504 * 2), 0x7c00);
    assert.equal(toFloat16Bits(-1e6), 0xfc00);
    assert.equal(toFloat16Bits(2 ** -24), 0x0001); // smallest subnormal
    assert.equal(toFloat16Bits(2 ** -25), 0x0000); // exactly half of it: ties to even (zero)
    assert.equal(toFloat16Bits(3 * 2 ** -25), 0x0002); // 1.5 ulps: ties to even (2)
    assert.equal(toFloat16Bits(1e-8), 0x0000);
    assert.equal(toFloat16Bits(-0), 0x8000);
    assert.equal(toFloat16Bits(1 + 2 ** -10), 0x3c01);
    assert.equal(toFloat16Bits(1 + 2 ** -11), 0x3c00); // halfway: even
    assert.equal(toFloat16Bits(1 + 3 * 2 ** -11), 0x3c02);
    assert.equal(toFloat16Bits(NaN), 0x7e00);
    assert.equal(toBFloat16Bits(NaN), 0x7fc0);
    assert.equal(toBFloat16Bits(1e-8), 0x322c);
    assert.equal(toBFloat16Bits(65504 * 2), 0x4800);
    assert.equal(toBFloat16Bits(1 + 2 ** -10), 0x3f80); // below bfloat16's resolution at 1
    assert.equal(toBFloat16Bits(3.4028234663852886e38), 0x7f80); // float32 max rounds up to Inf
    assert.equal(fromFloat16Bits(0x7bff), 65504);
    assert.equal(fromFloat16Bits(0x0001), 2 ** -24);
    assert.equal(fromFloat16Bits(0x0400), 2 ** -14);
    assert.equal(fromBFloat16Bits(0x7f7f), 3.3895313892515355e38);
  });

  it("every float16 and bfloat16 pattern decodes exactly and round-trips", () => {
    const all = new Uint16Array(65536).map((_, i) => i);
    for (const format of ["float16", "bfloat16"] as const) {
      const t = tensor(format === "float16" ? new Float16Bits(all) : new BFloat16Bits(all));
      assert.equal(t.dtype, format);
      const wide = t.to("float32");
      const back = wide.to(format);
      const w = new Uint32Array((wide.data as Float32Array).buffer);
      for (let h = 0; h < 65536; h++) {
        const nan = format === "float16" ? isF16NaN(h) : isBF16NaN(h);
        if (format === "float16") assert.equal(w[h], f16ToF32Bits(h));
        else assert.equal(w[h], (h << 16) >>> 0);
        if (nan) assert.equal(back.data[h]! & 0x7fff, format === "float16" ? 0x7e00 : 0x7fc0);
        else assert.equal(back.data[h], h, `${format} ${hex(h)} round trip`);
      }
      // float64 and int32 destinations too.
      const d = t.to("float64");
      for (let h = 0; h < 65536; h += 97) if (!Number.isNaN(d.data[h])) assert.equal(d.data[h], wide.data[h]);
    }
  });
});

describe("float16/bfloat16 tensors", () => {
  it("creation, item(), toArray() and printing decode the bits", () => {
    const h = tensor([1.5, 2, 65504, 1e-8], { dtype: "float16" });
    assert.deepEqual([...h.data], [0x3e00, 0x4000, 0x7bff, 0]);
    assert.deepEqual(h.toArray(), [1.5, 2, 65504, 0]);
    assert.equal(tensor([1.5, 2], { dtype: "float16" }).toString(), "tensor([1.5000, 2.0000], dtype=float16)");
    assert.equal(tensor([1.5, 2], { dtype: "bfloat16" }).toString(), "tensor([1.5000, 2.0000], dtype=bfloat16)");
    assert.equal(full([1], 0.1, { dtype: "bfloat16" }).item(), fromBFloat16Bits(toBFloat16Bits(0.1)));
    assert.deepEqual(ones([2], { dtype: "float16" }).toArray(), [1, 1]);
    assert.deepEqual(zeros([2], { dtype: "bfloat16" }).toArray(), [0, 0]);
    const r = randn([1000], { dtype: "bfloat16" });
    assert.equal(r.dtype, "bfloat16");
    assert.ok(Math.abs(r.to("float32").mean().item()) < 0.15);
  });

  for (const format of ["float16", "bfloat16"] as const) {
    it(`${format}: ops compute in float32 and round once, matching PyTorch bits`, () => {
      const o = fx.ops[format]!;
      const a = tensor(o["a"]!, { dtype: format, shape: [4, 8] });
      const b = tensor(o["b"]!, { dtype: format, shape: [4, 8] });
      const w = tensor(o["w"]!, { dtype: format, shape: [8, 5] });
      const check = (name: string, t: { dtype: DType; data: ArrayLike<number> }): void => {
        assert.equal(t.dtype, format, name);
        sameBits(format, t.data, o[name]!, t.data, `${format} ${name}`);
      };
      check("add", a.add(b));
      check("mul", a.mul(b));
      check("div", a.div(b));
      check("exp", a.exp());
      check("tanh", a.tanh());
      check("matmul", a.matmul(w));
      check("sum", a.sum().reshape([1]));
      check("sumDim1", a.sum(1));
      check("mean", a.mean().reshape([1]));
      check("softmax", a.to("float32").softmax(-1).to(format));
      check("addScalar", a.add(1000.5));
      check("smallTimes2p14", tensor(o["small"]!, { dtype: format }).mul(16384));
    });
  }

  it("promotion follows torch.promote_types for every dtype pair, and python-scalar rules", () => {
    for (const [x, y, want] of fx.promotion) {
      assert.equal(promoteTypes(x, y), want, `${x} + ${y}`);
      const r = ones([2], { dtype: x }).add(ones([2], { dtype: y }));
      assert.equal(r.dtype, want, `ones(${x}) + ones(${y})`);
    }
    for (const [x, s, want] of fx.scalarPromotion) assert.equal(ones([2], { dtype: x }).add(s).dtype, want, `${x} + ${s}`);
  });

  it("requiresGrad is allowed; gradients come back in the same dtype", () => {
    const x = tensor([1, 2, 3], { dtype: "float16", requiresGrad: true });
    x.mul(x).sum().backward();
    assert.equal(x.grad!.dtype, "float16");
    assert.deepEqual(x.grad!.toArray(), [2, 4, 6]);
    // A float32 master through a bfloat16 cast: the gradient arrives in float32.
    const m = tensor([0.5, -1.25], { requiresGrad: true });
    m.to("bfloat16").mul(3).sum().backward();
    assert.equal(m.grad!.dtype, "float32");
    assert.deepEqual([...m.grad!.data], [3, 3]);
    // Linear layer in bfloat16 end to end.
    const lin = new nn.Linear(4, 3);
    const xb = randn([2, 4]).to("bfloat16");
    const y = nn.functional.linear(xb, lin.weight.to("bfloat16"), lin.bias!.to("bfloat16"));
    assert.equal(y.dtype, "bfloat16");
    y.to("float32").sum().backward();
    assert.equal(lin.weight.grad!.dtype, "float32");
  });

  it("clipping and nn.init work on float16/bfloat16 tensors through float32", () => {
    const p = tensor([0, 0], { dtype: "bfloat16", requiresGrad: true });
    p.grad = tensor([3, 4], { dtype: "bfloat16" });
    assert.equal(optim.clipGradNorm([p], 1), 5);
    assert.deepEqual(p.grad.toArray(), [fromBFloat16Bits(toBFloat16Bits(0.6 * (1 / (1 + 2e-7)))), fromBFloat16Bits(toBFloat16Bits(0.8 * (1 / (1 + 2e-7))))]);
    optim.clipGradValue([p], 0.5);
    assert.deepEqual(p.grad.toArray(), [0.5, 0.5]);
    const w = zeros([1000], { dtype: "float16" });
    nn.init.normal_(w, 0, 2, { generator: new Generator(1) });
    const v = w.to("float64");
    assert.ok(Math.abs(v.std().item() - 2) < 0.15, String(v.std().item()));
    nn.init.constant_(w, 0.1);
    assert.equal(w.data[0], toFloat16Bits(0.1));
  });

  it("safetensors writes float16/bfloat16/bool storage as F16/BF16/BOOL; reading widens exactly (io's current mapping)", () => {
    const h = tensor([1.5, -65504, 2 ** -24], { dtype: "float16" });
    const b = tensor([0.1, 3e38], { dtype: "bfloat16" });
    const m = tensor([true, false, true]);
    const file = io.parseSafetensors(io.serializeSafetensors({ h, b, m }));
    const t = file.tensors();
    assert.deepEqual(t.get("h")!.toArray(), h.toArray());
    assert.deepEqual(t.get("b")!.toArray(), b.toArray());
    assert.deepEqual([...t.get("m")!.data], [1, 0, 1]);
  });

  it("unknown dtypes are typed errors", () => {
    assert.throws(() => tensor([1]).to("float8" as DType), DTypeError);
  });
});

// CausalLMBase: GPT and Llama share their bookkeeping (tied-head state dicts, parameter counts,
// FLOPs/MFU, weight-decay groups) through one base class; each error still names its model.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DTypeError, ValueError, models, nn } from "../../src/index.js";

const gptConfig = { vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8, tieWeights: true };
const llamaConfig = { vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nKvHeads: 1, nEmbd: 8, tieWeights: true };

describe("CausalLMBase shared by GPT and Llama", () => {
  const cases = [
    { name: "GPT", make: (tie = true) => new models.GPT({ ...gptConfig, tieWeights: tie }), embedding: "transformer.wte.weight" },
    { name: "Llama", make: (tie = true) => new models.Llama({ ...llamaConfig, tieWeights: tie }), embedding: "model.embed_tokens.weight" },
  ];
  for (const { name, make, embedding } of cases) {
    it(`${name}: one base, errors naming ${name}`, () => {
      const m = make();
      assert.ok(m instanceof models.CausalLMBase);
      assert.equal(m.blockSize, 8);
      assert.equal(m.vocabSize, 11);
      assert.throws(() => m.optimizerGroups(Number.NaN), (e: unknown) => e instanceof ValueError && e.message.startsWith(`${name}.optimizerGroups: weightDecay`));
      assert.throws(() => m.flopsPerToken(1.5), (e: unknown) => e instanceof ValueError && e.message.startsWith(`${name}.flopsPerToken: T must be`));
      assert.throws(() => m.estimateMfu(-1, 1), (e: unknown) => e instanceof ValueError && e.message.startsWith(`${name}.estimateMfu: tokensPerSec`));
      const Model = name === "GPT" ? models.GPT : models.Llama;
      assert.throws(() => new Model({}, { dtype: "int32" as never }), (e: unknown) => e instanceof DTypeError && e.message.startsWith(`${name}: dtype must be`));
      // The model name is not an enumerable property (Module walks own properties for children).
      assert.ok(!Object.keys(m).includes("modelName"));
    });

    it(`${name}: a tied head loads from the head alone, and two different matrices are refused naming ${embedding}`, () => {
      const m = make(), other = make();
      const onlyHead = m.stateDict();
      onlyHead["lm_head.weight"] = onlyHead[embedding]!;
      delete onlyHead[embedding];
      other.loadStateDict(onlyHead);
      assert.deepEqual([...other.lm_head.weight.data], [...m.lm_head.weight.data]);
      const conflict = m.stateDict({ withTiedHead: true });
      conflict["lm_head.weight"] = conflict["lm_head.weight"]!.add(1);
      assert.throws(() => other.loadStateDict(conflict), (e: unknown) => e instanceof nn.StateDictError &&
        e.message === `loadStateDict: this ${name} ties lm_head.weight to ${embedding}, but the state holds two different matrices ` +
          `(load it into a ${name} with tieWeights: false) (nothing was loaded)`);
    });

    it(`${name}: decay groups partition the trainable parameters by ndim, names in the same order`, () => {
      const m = make(false);
      const [decay, none] = m.optimizerGroups(0.1);
      const names = m.optimizerGroupNames();
      assert.equal(decay!.params.length + none!.params.length, m.parameters().length);
      assert.equal(names.decay.length, decay!.params.length);
      const byName = new Map(m.namedParameters());
      names.decay.forEach((n, i) => assert.equal(byName.get(n), decay!.params[i]));
      names.noDecay.forEach((n, i) => assert.equal(byName.get(n), none!.params[i]));
    });
  }
});

// BatchSampler: windows are (T + 1)-slices of the stream (y is x shifted by one), the same seed
// gives the same batches, and a saved state restores the exact sequence.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { data } from "../../src/index.js";

const tokens = Int32Array.from({ length: 1000 }, (_, i) => i);

describe("BatchSampler", () => {
  it("x rows are contiguous windows, y = x shifted by one, starts within bounds", () => {
    const s = new data.BatchSampler(tokens, 4, 16, 1);
    for (let k = 0; k < 20; k++) {
      const { x, y, batchSize, blockSize } = s.next();
      assert.equal(batchSize, 4);
      assert.equal(blockSize, 16);
      assert.equal(x.length, 64);
      for (let b = 0; b < 4; b++) {
        const row = x.subarray(b * 16, b * 16 + 16);
        assert.ok(row[0]! >= 0 && row[0]! + 16 < 1000);
        for (let t = 0; t < 16; t++) {
          assert.equal(row[t], row[0]! + t);
          assert.equal(y[b * 16 + t], row[t]! + 1);
        }
      }
    }
  });

  it("same seed, same batches; other seed, other batches; state restores the sequence", () => {
    const a = new data.BatchSampler(tokens, 2, 8, 5);
    const b = new data.BatchSampler(tokens, 2, 8, 5);
    const c = new data.BatchSampler(tokens, 2, 8, 6);
    const fa = a.next(), fb = b.next(), fc = c.next();
    assert.deepEqual(fa.x, fb.x);
    assert.notDeepEqual(fa.x, fc.x);
    const saved = JSON.parse(JSON.stringify(a.getState()));
    const expected = [a.next().x, a.next().x];
    const r = new data.BatchSampler(tokens, 2, 8, 99);
    r.setState(saved);
    assert.deepEqual([r.next().x, r.next().x], expected);
    assert.throws(() => r.setState({ generator: { s: [1, 2], spare: null } } as never), data.DataError);
  });

  it("every window start is reachable (including the last one)", () => {
    const small = Int32Array.from({ length: 10 }, (_, i) => i);
    const s = new data.BatchSampler(small, 64, 8, 0);
    const starts = new Set(Array.from({ length: 5 }, () => s.next()).flatMap((bt) => Array.from({ length: 64 }, (_, i) => bt.x[i * 8])));
    assert.deepEqual([...starts].sort(), [0, 1]);
    assert.throws(() => new data.BatchSampler(small, 1, 10, 0), /fewer than block size \+ 1 = 11/);
  });
});

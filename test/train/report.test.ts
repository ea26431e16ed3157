// report.html: built from a run directory's files, self-contained under a strict CSP, and (in
// headless Chromium) drawn without errors or network requests, with numbers matching metrics.jsonl.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { describe, it } from "node:test";
import { readReportData } from "../../src/train/report_data.js";
import { formatNumber, headlineStats, renderReport, writeReport } from "../../src/train/report_html.js";

/** A synthetic run: 300 steps, evaluation every 50, one spike warning, a loss-scale column. */
function makeRun(opts: { lossScale?: boolean } = {}): { dir: string; lines: Record<string, unknown>[] } {
  const dir = mkdtempSync(join(tmpdir(), "descent-report-"));
  const lines: Record<string, unknown>[] = [];
  for (let step = 1; step <= 300; step++) {
    const o: Record<string, unknown> = {
      step, loss: 4 * Math.exp(-step / 80) + 1.2 + 0.05 * Math.sin(step), lr: step < 20 ? 3e-3 * step / 20 : 3e-3,
      gradNorm: 1 + 0.5 * Math.cos(step / 7), tokensPerSec: 5000 + (step % 13) * 40, elapsedSec: step * 0.1,
    };
    if (opts.lossScale) o["lossScale"] = 2 ** (16 - Math.floor(step / 100));
    if (step % 50 === 0) {
      o["valLoss"] = 4 * Math.exp(-step / 80) + 1.3;
      o["trainLoss"] = 4 * Math.exp(-step / 80) + 1.25;
    }
    if (step === 120) o["warnings"] = [{ kind: "loss spike", message: "step 120: loss 9.1 > 3 x running median 2.1; grad norm jumped most in transformer.h.0.attn" }];
    lines.push(o);
  }
  writeFileSync(join(dir, "metrics.jsonl"), lines.map((l) => JSON.stringify(l) + "\n").join(""));
  writeFileSync(join(dir, "data.json"), JSON.stringify({ source: "test corpus", documents: 1, tokens: 1234 }));
  writeFileSync(join(dir, "config.json"), JSON.stringify({ nLayer: 2, nHead: 2, nEmbd: 32 }));
  writeFileSync(join(dir, "summary.json"), JSON.stringify({ sample: "Fellow citizens <b>of</b> the Senate" }));
  return { dir, lines };
}

describe("training report (HTML)", () => {
  it("reads metrics as columns and omits charts whose columns are absent", () => {
    const { dir } = makeRun();
    const d = readReportData(dir);
    assert.equal(d.lines, 300);
    assert.equal(d.columns["valLoss"]!.filter((v) => v !== null).length, 6);
    assert.equal(d.columns["lossScale"], undefined);
    assert.deepEqual(d.warnings.map((w) => [w.step, w.kind]), [[120, "loss spike"]]);
    const html = renderReport(d);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;|default-src 'none'/);
    assert.ok(html.includes("default-src &#39;none&#39;") || html.includes("default-src 'none'"));
    assert.ok(html.includes('id="chart-loss"') && html.includes('id="chart-gradNorm"'));
    assert.ok(!html.includes('id="chart-lossScale"') && !html.includes('id="chart-activationBytes"'));
    assert.match(html, /charts omitted\): Activation memory, Loss scale/);
    assert.ok(html.includes("Fellow citizens &lt;b&gt;of&lt;/b&gt; the Senate"));
    assert.ok(!/\ssrc=|\shref=/.test(html), "no external resources");
    assert.throws(() => readReportData(join(dir, "nope")), /metrics\.jsonl does not exist/);
  });

  it("formats the headline numbers from the last and best values", () => {
    const { dir, lines } = makeRun();
    const stats = Object.fromEntries(headlineStats(readReportData(dir)).map((s) => [s.key, s.value]));
    assert.equal(stats["steps"], 300);
    assert.equal(stats["loss"], lines[299]!["loss"]);
    assert.equal(stats["bestValLoss"], lines[299]!["valLoss"]);
    assert.equal(formatNumber(1234567), "1,234,567");
    assert.equal(formatNumber(0.000123), "1.230e-4");
    assert.equal(formatNumber(3.14159), "3.142");
    assert.equal(formatNumber(null), "–");
    assert.equal(stats["lossScale"], undefined); // no fp16 columns, no fp16 headlines
  });

  it("fp16 runs: the final loss scale and the skipped steps are headline numbers", () => {
    const { dir } = makeRun({ lossScale: true });
    const lines = readFileSync(join(dir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    lines.forEach((l, i) => (l["skippedSteps"] = Math.floor((i + 1) / 100)));
    writeFileSync(join(dir, "metrics.jsonl"), lines.map((l) => JSON.stringify(l) + "\n").join(""));
    const stats = Object.fromEntries(headlineStats(readReportData(dir)).map((s) => [s.key, s.value]));
    assert.equal(stats["lossScale"], 2 ** 13);
    assert.equal(stats["skippedSteps"], 3);
  });
});

const chromiumPath = process.env["CHROMIUM_PATH"] ??
  (process.env["PATH"] ?? "").split(delimiter).map((d) => join(d, "chromium")).find((p) => existsSync(p));
let playwright: typeof import("playwright-core") | null = null;
try {
  createRequire(import.meta.url).resolve("playwright-core");
  playwright = await import("playwright-core");
} catch {
  playwright = null;
}
const skip = !chromiumPath ? "Chromium is not installed (apt-get install chromium)" : !playwright ? "playwright-core is not installed" : false;

describe("training report in headless Chromium", { skip }, () => {
  it("no page errors, no network, every chart drawn, numbers match metrics.jsonl", { timeout: 60_000 }, async () => {
    const { dir, lines } = makeRun({ lossScale: true });
    const path = writeReport(dir);
    const browser = await playwright!.chromium.launch({
      executablePath: chromiumPath!,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      const network: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
      await page.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith("file:")) return route.continue();
        network.push(url);
        return route.abort();
      });
      page.on("request", (r) => { if (!r.url().startsWith("file:")) network.push(r.url()); });
      await page.goto(`file://${path}`);
      await page.waitForSelector("body[data-ready]", { timeout: 15_000 });
      assert.deepEqual(errors, []);
      assert.deepEqual(network, []);
      // Browser-side code as strings: the test compiles without the DOM typings.
      const charts = await page.evaluate(`[...document.querySelectorAll(".chart")].map((el) => {
        const canvas = el.querySelector("canvas");
        const px = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        let drawn = 0;
        for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && !(px[i] > 250 && px[i + 1] > 250 && px[i + 2] > 250)) drawn++;
        return { id: el.id, drawn };
      })`) as { id: string; drawn: number }[];
      assert.deepEqual(charts.map((c) => c.id), ["chart-loss", "chart-lr", "chart-gradNorm", "chart-tokensPerSec", "chart-lossScale"]);
      for (const c of charts) assert.ok(c.drawn > 500, `${c.id} drew only ${c.drawn} pixels`);
      // The headline numbers, as the page shows them, against metrics.jsonl.
      const shown = await page.evaluate(`Object.fromEntries([...document.querySelectorAll("[data-stat]")].map((e) => [e.getAttribute("data-stat"), e.textContent]))`) as Record<string, string>;
      const vals = lines.filter((l) => l["valLoss"] !== undefined).map((l) => l["valLoss"] as number);
      assert.equal(shown["steps"], "300");
      assert.equal(shown["loss"], formatNumber(lines[299]!["loss"] as number));
      assert.equal(shown["valLoss"], formatNumber(vals[vals.length - 1]!));
      assert.equal(shown["bestValLoss"], formatNumber(Math.min(...vals)));
      assert.equal(shown["elapsedSec"], formatNumber(lines[299]!["elapsedSec"] as number));
      // The data the charts draw is metrics.jsonl, value for value.
      const columns = await page.evaluate(`JSON.parse(document.getElementById("report-data").textContent).columns`) as Record<string, (number | null)[]>;
      for (const key of ["step", "loss", "lr", "gradNorm", "tokensPerSec", "lossScale", "valLoss"]) {
        assert.deepEqual(columns[key], lines.map((l) => (l[key] === undefined ? null : l[key])), key);
      }
      const warning = await page.textContent("[data-warning-step='120']");
      assert.match(warning!, /loss spike.*step 120: loss 9\.1/);
      assert.equal(readFileSync(path, "utf8").includes("uPlot"), true);
    } finally {
      await browser.close();
    }
  });
});

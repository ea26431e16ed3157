// report.html: one self-contained page (no network: a strict Content-Security-Policy allows only
// the inline script and style whose hashes it lists; uPlot, its CSS and the data are inlined).
// uPlot (1.6.x) is read from node_modules when the report is written.

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { writeFileAtomic } from "../io/atomic.js";
import { type ReportData, readReportData } from "./report_data.js";

/** One chart: the metric columns it draws; omitted when none of them was recorded. */
export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly series: readonly { readonly key: string; readonly label: string; readonly color: string; readonly points?: boolean }[];
  readonly log?: boolean;
  readonly unit?: string;
}

export const CHARTS: readonly ChartSpec[] = [
  {
    id: "loss", title: "Loss", series: [
      { key: "loss", label: "train loss (step)", color: "#4c78a8" },
      { key: "trainLoss", label: "train loss (eval)", color: "#72b7b2", points: true },
      { key: "valLoss", label: "val loss (eval)", color: "#e45756", points: true },
    ],
  },
  { id: "lr", title: "Learning rate", series: [{ key: "lr", label: "lr", color: "#54a24b" }] },
  { id: "gradNorm", title: "Gradient norm (before clipping)", series: [{ key: "gradNorm", label: "grad norm", color: "#f58518" }] },
  { id: "tokensPerSec", title: "Throughput", unit: "tokens/s", series: [{ key: "tokensPerSec", label: "tokens/s", color: "#b279a2" }] },
  { id: "activationBytes", title: "Activation memory", unit: "bytes", series: [{ key: "activationBytes", label: "saved for backward", color: "#9d755d" }] },
  { id: "lossScale", title: "Loss scale (mixed precision)", log: true, series: [{ key: "lossScale", label: "loss scale", color: "#eeca3b" }] },
];

const requireHere = createRequire(import.meta.url);

/** uPlot's minified IIFE build and CSS, from node_modules. */
export function readUPlot(): { js: string; css: string; version: string } {
  const pkgPath = requireHere.resolve("uplot/package.json");
  const dir = dirname(pkgPath);
  const version = (JSON.parse(readFileSync(pkgPath, "utf8")) as { version: string }).version;
  return { js: readFileSync(join(dir, "dist", "uPlot.iife.min.js"), "utf8"), css: readFileSync(join(dir, "dist", "uPlot.min.css"), "utf8"), version };
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const sha = (s: string): string => `'sha256-${createHash("sha256").update(s, "utf8").digest("base64")}'`;
/** JSON safe inside <script>: no `</script>` or `<!--` can appear. */
const jsonForScript = (v: unknown): string => JSON.stringify(v).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

/** Numbers the way the page prints them (the Chromium test compares against this). */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e15) return v.toLocaleString("en-US");
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
  return v.toPrecision(4).replace(/(\.\d*?)0+$/, "$1").replace(/\.$/, "");
}

const last = (col: readonly (number | null)[] | undefined): number | null => {
  if (!col) return null;
  for (let i = col.length - 1; i >= 0; i--) if (col[i] !== null) return col[i]!;
  return null;
};
const min = (col: readonly (number | null)[] | undefined): number | null => {
  let m: number | null = null;
  for (const v of col ?? []) if (v !== null && (m === null || v < m)) m = v;
  return m;
};

/** The headline figures: label, value, and the data-stat key the test reads. */
export function headlineStats(d: ReportData): { key: string; label: string; value: number | null }[] {
  const c = d.columns;
  // fp16 runs: the loss scale reached and the steps skipped for Inf/NaN gradients.
  const amp = c["lossScale"] ? [
    { key: "lossScale", label: "final loss scale", value: last(c["lossScale"]) },
    { key: "skippedSteps", label: "skipped steps", value: last(c["skippedSteps"]) ?? 0 },
  ] : [];
  return [
    { key: "steps", label: "steps", value: last(c["step"]) },
    { key: "loss", label: "final train loss", value: last(c["loss"]) },
    { key: "valLoss", label: "final val loss", value: last(c["valLoss"]) },
    { key: "bestValLoss", label: "best val loss", value: min(c["valLoss"]) },
    { key: "tokensPerSec", label: "median tokens/s", value: median(c["tokensPerSec"]) },
    { key: "elapsedSec", label: "training seconds", value: last(c["elapsedSec"]) },
    ...amp,
  ];
}

function median(col: readonly (number | null)[] | undefined): number | null {
  const v = (col ?? []).filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

function table(obj: Record<string, unknown> | null, caption: string): string {
  if (!obj) return `<section class="card"><h2>${esc(caption)}</h2><p class="muted">not recorded</p></section>`;
  const rows = Object.entries(obj)
    .filter(([, v]) => v === null || ["string", "number", "boolean"].includes(typeof v))
    .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(typeof v === "number" && !(Number.isInteger(v) && Math.abs(v) < 1e6) ? formatNumber(v) : String(v))}</td></tr>`).join("");
  return `<section class="card"><h2>${esc(caption)}</h2><table class="kv">${rows}</table></section>`;
}

const PAGE_CSS = `
:root{--bg:#f6f7f9;--card:#fff;--ink:#1f2933;--muted:#6b7785;--line:#e3e7ec;--accent:#4c78a8}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
header{padding:22px 32px 8px}header h1{margin:0;font-size:22px;font-weight:650}header p{margin:4px 0 0;color:var(--muted)}
main{padding:8px 32px 40px;max-width:1400px}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:12px 0 18px}
.stat{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px}
.stat .v{font-size:22px;font-weight:650;font-variant-numeric:tabular-nums}.stat .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(520px,1fr));gap:14px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;margin-bottom:14px;overflow:hidden}
.card h2{font-size:15px;margin:0 0 8px;font-weight:620}.chart{min-height:260px}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:14px}
table.kv{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}table.kv th{text-align:left;font-weight:500;color:var(--muted);padding:3px 12px 3px 0;white-space:nowrap}table.kv td{padding:3px 0;word-break:break-all}
pre.sample{white-space:pre-wrap;background:#fbfbfc;border:1px solid var(--line);border-radius:8px;padding:12px;max-height:360px;overflow:auto;font:13px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
ul.warn{margin:0;padding-left:18px}ul.warn li{margin:3px 0}.kind{display:inline-block;font-size:11px;padding:1px 6px;border-radius:4px;background:#fdecea;color:#a33;margin-right:6px}
.muted{color:var(--muted)}
`;

const PAGE_JS = `
(function(){
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var cols = data.columns, steps = cols.step;
  function fmt(v){ if(v==null||!isFinite(v)) return "–"; var a=Math.abs(v);
    if(a!==0&&(a>=1e6||a<1e-3)) return v.toExponential(2); return String(Number(v.toPrecision(4))); }
  data.charts.forEach(function(c){
    var el = document.getElementById("chart-" + c.id);
    var width = Math.max(320, el.clientWidth);
    var series = [{ label: "step" }], arrays = [steps];
    c.series.forEach(function(s){
      if(!cols[s.key]) return;
      series.push({ label: s.label, stroke: s.color, width: 1.6, spanGaps: true,
        points: { show: !!s.points, size: 6, fill: s.color }, value: function(u, v){ return fmt(v); } });
      arrays.push(cols[s.key]);
    });
    new uPlot({
      width: width, height: 240, series: series, legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false }, y: c.log ? { distr: 3 } : {} },
      axes: [{ label: "step", stroke: "#6b7785", grid: { stroke: "#eef1f4" } },
             { stroke: "#6b7785", grid: { stroke: "#eef1f4" }, size: 64, values: function(u, vals){ return vals.map(fmt); } }]
    }, arrays, el);
    el.setAttribute("data-drawn", "1");
  });
  document.body.setAttribute("data-ready", "1");
})();
`;

/** The whole page as a string. */
export function renderReport(d: ReportData, uplot = readUPlot()): string {
  const charts = CHARTS.filter((c) => c.series.some((s) => d.columns[s.key] !== undefined));
  const omitted = CHARTS.filter((c) => !charts.includes(c)).map((c) => c.title);
  const dataJSON = jsonForScript({ columns: d.columns, charts: charts.map((c) => ({ id: c.id, log: c.log ?? false, series: c.series })) });
  const css = uplot.css + PAGE_CSS;
  const scripts = [uplot.js, PAGE_JS];
  const csp = [
    "default-src 'none'", `script-src ${scripts.map(sha).join(" ")}`, `style-src ${sha(css)}`, "img-src data:",
    "connect-src 'none'", "font-src 'none'", "base-uri 'none'", "form-action 'none'",
  ].join("; ");
  const stats = headlineStats(d).map((s) =>
    `<div class="stat"><div class="v" data-stat="${s.key}">${esc(formatNumber(s.value))}</div><div class="l">${esc(s.label)}</div></div>`).join("");
  const chartCards = charts.map((c) =>
    `<section class="card"><h2>${esc(c.title)}${c.unit ? ` <span class="muted">(${esc(c.unit)})</span>` : ""}</h2><div class="chart" id="chart-${c.id}"></div></section>`).join("");
  const sample = typeof d.summary?.["sample"] === "string" ? (d.summary["sample"] as string) : null;
  const warnings = d.warnings.length === 0
    ? '<p class="muted">none: no loss spikes or exploding gradients were detected</p>'
    : `<ul class="warn">${d.warnings.map((w) => `<li data-warning-step="${w.step}"><span class="kind">${esc(w.kind)}</span>${esc(w.message)}</li>`).join("")}</ul>`;
  const title = `Training report: ${d.runDir.split(/[\\/]/).filter(Boolean).pop() ?? d.runDir}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${css}</style>
</head><body>
<header><h1>${esc(title)}</h1><p>${esc(d.runDir)} · ${d.lines} logged steps · charts by uPlot ${esc(uplot.version)}</p></header>
<main>
<div class="stats">${stats}</div>
<div class="charts">${chartCards}</div>
${omitted.length ? `<p class="muted" id="omitted">Not recorded in this run (charts omitted): ${esc(omitted.join(", "))}.</p>` : ""}
<section class="card"><h2>Warnings</h2>${warnings}</section>
<div class="cols">${table(d.modelConfig, "Model")}${table(d.trainConfig, "Training settings")}${table(d.data, "Data")}</div>
<section class="card"><h2>Final sample</h2>${sample === null ? '<p class="muted">no sample recorded</p>' : `<pre class="sample">${esc(sample)}</pre>`}</section>
</main>
<script type="application/json" id="report-data">${dataJSON}</script>
<script>${scripts[0]}</script>
<script>${scripts[1]}</script>
</body></html>
`;
}

/** Write RUN_DIR/report.html (atomically) and return its path. */
export function writeReport(runDir: string): string {
  const path = join(runDir, "report.html");
  writeFileAtomic(path, renderReport(readReportData(runDir)));
  return path;
}

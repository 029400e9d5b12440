#!/bin/bash
# SPDX-License-Identifier: MIT
# github-action-benchmark replayed: its custom-format extract (src/extract.ts,
# extractCustomBenchmarkResult) and alert ratio (src/write.ts, findAlerts,
# biggerIsBetter), ported to node, read kerf's gab-smaller / gab-bigger
# exports of two runs: each result in the file of its direction, and the
# evloop rate (+8.7%) an improvement, not an alert.
set -u
command -v node >/dev/null || { echo "skip: needs node"; exit 77; }
g=$KERF_TESTS/golden/export
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for run in run new; do
	for d in smaller bigger; do
		"$KERF" export "$g/$run.json" --format gab-$d \
			-o "$work/$run.$d.json" || exit 1
	done
done
node - "$work" "$g/run.json" <<'JS'
const fs = require('fs');
const [work, runPath] = process.argv.slice(2);
let fail = 0;
const bad = (m) => { console.log('FAIL: ' + m); fail = 1; };
// extract.ts: extractCustomBenchmarkResult, then extractResult's check
function extract(tool, path) {
  if (tool !== 'customBiggerIsBetter' && tool !== 'customSmallerIsBetter')
    throw new Error(`FATAL: Unexpected tool: '${tool}'`);
  const output = fs.readFileSync(path, 'utf8');
  const json = JSON.parse(output);
  const benches = json.map(({ name, value, unit, range, extra }) =>
    ({ name, value, unit, range, extra }));
  if (benches.length === 0)
    throw new Error(`No benchmark result was found in ${path}`);
  return { tool, benches };
}
// write.ts: biggerIsBetter and findAlerts' ratio
const bigger = (tool) => tool === 'customBiggerIsBetter';
function ratios(cur, prev) {
  const out = {};
  for (const c of cur.benches) {
    const p = prev.benches.find((b) => b.name === c.name);
    if (p) out[c.name] = bigger(cur.tool) ? p.value / c.value
                                          : c.value / p.value;
  }
  return out;
}
// kerf's result names: bench/k:v with the params in key order
const run = JSON.parse(fs.readFileSync(runPath, 'utf8'));
const name = (r) => [r.bench, ...Object.keys(r.params || {}).sort()
  .map((k) => `${k}:${r.params[k]}`)].join('/');
const want = { higher: new Set(), lower: new Set() };
for (const r of run.results)
  if (r.status === 'ok') want[r.better].add(name(r));
const got = {};
for (const [d, tool, better] of [['smaller', 'customSmallerIsBetter', 'lower'],
                                 ['bigger', 'customBiggerIsBetter', 'higher']]) {
  const base = extract(tool, `${work}/run.${d}.json`);
  const cur = extract(tool, `${work}/new.${d}.json`);
  const names = new Set(base.benches.map((b) => b.name));
  if (names.size !== base.benches.length) bad(`${d}: repeated names`);
  for (const n of want[better]) if (!names.has(n)) bad(`${d}: lacks ${n}`);
  for (const b of base.benches) {
    if (!want[better].has(b.name)) bad(`${d}: ${b.name} is not ${better}-is-better`);
    if (typeof b.value !== 'number' || !isFinite(b.value)) bad(`${b.name}: value ${b.value}`);
    if (typeof b.unit !== 'string' || !b.unit) bad(`${b.name}: no unit`);
    if (b.range !== undefined && !/^95% CI [-0-9.e+]+\.\.[-0-9.e+]+$/.test(b.range))
      bad(`${b.name}: range ${b.range}`);
  }
  console.log(`ok: ${tool}: ${base.benches.length} results extracted`);
  Object.assign(got, ratios(cur, base));
}
const show = (n) => console.log(`  ratio ${got[n].toFixed(4)}  ${n}`);
const ev = 'evloop/echo/conns:1/server:epoll';
const sc = 'syscall/getppid';
if (!(ev in got) || !(got[ev] < 0.95)) bad(`${ev}: ratio ${got[ev]}, want < 0.95 (faster)`);
else show(ev);
if (!(sc in got) || !(got[sc] > 1.2)) bad(`${sc}: ratio ${got[sc]}, want > 1.2 (slower)`);
else show(sc);
process.exit(fail);
JS

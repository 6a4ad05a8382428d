#!/usr/bin/env bash
# Measures the sample model's quantization ladder: every preset from Q2_K to Q8_0 made from
# sample-models/quantscope-stories.gguf, scored against it on held-out stories (not the training seed), printed as
# the Markdown table in sample-models/README.md.   Usage: sample-models/ladder.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
model=sample-models/quantscope-stories.gguf
presets=(Q2_K Q3_K_S Q3_K_M Q3_K_L Q4_0 Q4_1 Q4_K_S Q4_K_M Q5_0 Q5_1 Q5_K_S Q5_K_M Q6_K Q8_0)
./quantscope stories --chars 100000 --seed 20261123 > "$work/held-out.txt"
variants=()
./quantscope inspect --json "$model" > "$work/inspect-F16.json"
for p in "${presets[@]}"; do
  out="$work/quantscope-stories-$p.gguf"
  [ -f "$out" ] || ./quantscope quantize "$model" "$out" --type "$p" > /dev/null
  ./quantscope inspect --json "$out" > "$work/inspect-$p.json"
  variants+=("$out")
done
./quantscope eval --base "$model" --text "$work/held-out.txt" --ctx 256 --no-save --json "${variants[@]}" \
  > "$work/eval.json"
python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
r = json.load(open(os.path.join(work, "eval.json")))
def totals(name):
    return json.load(open(os.path.join(work, f"inspect-{name}.json")))["totals"]
def size(name):
    return json.load(open(os.path.join(work, f"inspect-{name}.json")))["file_bytes"]
print("| preset | file size | bits/weight | PPL | PPL ratio | mean KLD | 99% KLD | same top token |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
print(f"| F16 (source) | {size('F16')/2**20:.2f} MiB | {totals('F16')['bpw']:.2f} | {r['base']['ppl']:.4f} | 1 | 0 | 0 | 100% |")
for v in r["variants"]:
    name = os.path.basename(v["file"]).removeprefix("quantscope-stories-").removesuffix(".gguf")
    print(f"| {name} | {size(name)/2**20:.2f} MiB | {totals(name)['bpw']:.2f} | {v['ppl']:.4f} | {v['ppl_ratio']:.4f}"
          f" | {v['kld_mean']:.5f} | {v['kld_p99']:.4f} | {v['same_top_p_pct']:.1f}% |")
PY

#!/usr/bin/env bash
# Prompt processing (pp) and generation (tg) speed of Quantscope and llama-bench on the same files, alternating runs,
# same threads; prints tokens/s and the ratio ours / llama.cpp (above 1 is faster).
# Usage: LLAMA_BENCH=/path/to/llama-bench bench/generate-vs-llama.sh [THREADS] MODEL.gguf...
# llama-bench comes from a llama.cpp c392e5094 build outside this repository (see ../shared/TOOLCHAIN.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${1:-2}"; shift
lb="${LLAMA_BENCH:?set LLAMA_BENCH to a llama-bench binary}"
# WARMUP: quantscope's warm-up rounds, auto (default: until two rounds agree within 5%) or N; llama-bench runs one
P="${PP:-64}"; N="${TG:-32}"; R="${REPS:-2}"; W="${WARMUP:-auto}"
printf '%-28s %9s %9s %6s %9s %9s %6s\n' model llama_pp ours_pp ratio llama_tg ours_tg ratio
for m in "$@"; do
  # this machine pages out file pages idle for ~30 s (DAMON); read the model back in before each program's run
  cat "$m" > /dev/null
  ll=$("$lb" -m "$m" -p "$P" -n "$N" -t "$threads" -r "$R" -o json 2>/dev/null)
  cat "$m" > /dev/null
  qs=$("$here/quantscope" bench "$m" -p "$P" -n "$N" -r "$R" --warmup "$W" --threads "$threads" --json 2>/dev/null)
  python3 - "$m" "$ll" "$qs" <<'PY'
import json, sys, os
m, ll, qs = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
lpp = next(r["avg_ts"] for r in ll if r["n_prompt"] > 0)
ltg = next(r["avg_ts"] for r in ll if r["n_gen"] > 0)
print("%-28s %9.2f %9.2f %6.2f %9.2f %9.2f %6.2f" % (os.path.basename(m), lpp, qs["pp_tok_s"], qs["pp_tok_s"] / lpp,
      ltg, qs["tg_tok_s"], qs["tg_tok_s"] / ltg))
PY
done

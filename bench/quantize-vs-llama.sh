#!/usr/bin/env bash
# Quantize one model with llama-quantize and with Quantscope, alternating, same threads, same file; print times,
# the ratio (ours / llama.cpp; below 1 is faster) and whether the bytes are identical.
# Usage: LLAMA_QUANTIZE=/path/to/llama-quantize bench/quantize-vs-llama.sh MODEL.gguf [THREADS] [PRESET...]
# llama-quantize comes from a llama.cpp c392e5094 build outside this repository (see ../shared/TOOLCHAIN.md).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="$1"; threads="${2:-2}"; shift $(( $# >= 2 ? 2 : 1 ))
presets=("$@"); [ ${#presets[@]} -gt 0 ] || presets=(Q8_0 Q4_0 Q4_K_M Q6_K Q2_K)
lq="${LLAMA_QUANTIZE:?set LLAMA_QUANTIZE to a llama-quantize binary}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
printf '%-8s %10s %10s %7s %s\n' preset llama_s ours_s ratio bytes
for p in "${presets[@]}"; do
  t0=$(now); "$lq" "$model" "$work/ll.gguf" "$p" "$threads" >/dev/null 2>&1; t1=$(now)
  "$here/quantscope" quantize "$model" "$work/qs.gguf" --type "$p" --threads "$threads" >/dev/null 2>&1; t2=$(now)
  same=$(cmp -s "$work/ll.gguf" "$work/qs.gguf" && echo identical || echo DIFFERENT)
  awk -v p="$p" -v a="$t0" -v b="$t1" -v c="$t2" -v s="$same" \
    'BEGIN { l = b - a; q = c - b; printf "%-8s %10.2f %10.2f %7.2f %s\n", p, l, q, q / l, s }'
  rm -f "$work/ll.gguf" "$work/qs.gguf"
done

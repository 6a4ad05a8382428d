#!/usr/bin/env bash
# Prompt and generation speed of Quantscope and llama3.java (mukel/llama3.java, the fastest pure-Java engine) on the
# same files, alternating cold runs, each one process as a user starts it; prints tokens/s and the ratio ours /
# llama3.java (above 1 is faster). llama3.java reads only Llama 3 vocabularies: make a model with
# `quantscope synth --shape llama3.2-1b` and quantize it with llama-quantize (Q8_0, Q4_0, Q4_K_M, Q6_K; F16 as is).
# Usage: LLAMA3_JAVA_CLASSES=/path/to/classes bench/generate-vs-llama3java.sh [THREADS] MODEL.gguf...
# llama3.java is compiled outside this repository:
#   javac --enable-preview -source 25 --add-modules jdk.incubator.vector -d classes Llama3.java
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
threads="${1:-2}"; shift
classes="${LLAMA3_JAVA_CLASSES:?set LLAMA3_JAVA_CLASSES to the compiled llama3.java classes}"
java="${JAVA_HOME:?set JAVA_HOME to a JDK 25}/bin/java"
N="${TG:-64}"; R="${REPS:-2}"
prompt="${PROMPT:-Once upon a time there was a little fox who lived in a green forest near a river. Every morning the fox \
walked to the water and looked at the fish, the birds and the old tree that stood on the hill. One day a storm came and \
the river grew wide and fast, so the fox had to find a new way home through the dark part of the forest}"
printf '%-22s %4s %9s %9s %6s %9s %9s %6s\n' model rep l3j_pp ours_pp ratio l3j_tg ours_tg ratio
l3j() {
  "$java" --enable-preview --add-modules jdk.incubator.vector \
    -Djava.util.concurrent.ForkJoinPool.common.parallelism=$((threads - 1)) -cp "$classes" com.llama4j.Llama3 \
    --model "$1" --instruct --prompt "$prompt" -n "$2" --temperature 0 --stream false 2>&1 >/dev/null \
    | grep -o 'prompt: .*'
}
for m in "$@"; do
  # llama3.java's -n counts the prompt too, and it wraps the prompt in Llama 3's chat template (more tokens than
  # ours): a one-position run tells how many.
  pn=$(l3j "$m" 1 | sed -E 's/.*\(([0-9]+)\) generation.*/\1/')
  for r in $(seq 1 "$R"); do
    l3=$(l3j "$m" $((pn + N)))
    qs=$("$here/quantscope" generate "$m" --prompt "$prompt" -n "$N" --temp 0 --threads "$threads" 2>&1 >/dev/null \
          | grep -o 'prompt: .*')
    python3 - "$m" "$r" "$l3" "$qs" <<'PY'
import os, re, sys
m, r, l3, qs = sys.argv[1:5]
lpp, lpn, ltg, ltn = re.search(r"prompt: ([\d.]+) tokens/s \((\d+)\) generation: ([\d.]+) tokens/s \((\d+)\)", l3).groups()
qpn, qpp, qtn, qtg = re.search(r"prompt: (\d+) tokens, ([\d.]+) tok/s; generated: (\d+) tokens, ([\d.]+) tok/s", qs).groups()
lpp, ltg, qpp, qtg = map(float, (lpp, ltg, qpp, qtg))
print("%-22s %4s %9.2f %9.2f %6.2f %9.2f %9.2f %6.2f   (prompt %s/%s tokens, generated %s/%s)" % (
    os.path.basename(m), r, lpp, qpp, qpp / lpp, ltg, qtg, qtg / ltg, lpn, qpn, ltn, qtn))
PY
  done
done

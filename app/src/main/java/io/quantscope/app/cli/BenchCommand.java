package io.quantscope.app.cli;

import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufSummary;
import io.quantscope.infer.Benchmark;
import io.quantscope.infer.Transformer;
import io.quantscope.quant.dot.Kernels;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quantscope bench MODEL [-p 64] [-n 32] [--threads N] [--json]}: llama-bench's pp and tg in tokens/s. */
@Command(name = "bench", description = "Measure prompt processing (pp) and generation (tg) speed, like llama-bench.")
final class BenchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", description = "A .gguf model.")
    Path model;

    @Option(names = "-p", description = "Prompt tokens (default 64).")
    int p = 64;

    @Option(names = "-n", description = "Generated tokens (default 32).")
    int n = 32;

    @Option(names = "-r", description = "Repetitions (default 3).")
    int reps = 3;

    @Option(
            names = "--warmup",
            paramLabel = "auto|N",
            description = "Warm-up rounds before measuring: N exactly (llama-bench runs 1), or auto (default): until"
                    + " two rounds agree within 5%, 2 to 8 rounds, so the JIT has compiled the kernels.")
    String warmup = "auto";

    @picocli.CommandLine.Mixin
    ThreadsOption threadsOption = new ThreadsOption();

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (p < 0 || n < 0 || reps < 1 || threadsOption.get() < 1 || (p == 0 && n == 0)) {
            throw new IllegalArgumentException("need -p >= 0, -n >= 0 (not both 0), -r >= 1, --threads >= 1");
        }
        int warmupRounds = warmupRounds(warmup);
        try (GgufFile file = GgufFile.open(model)) {
            Transformer t = Transformer.of(file);
            Benchmark.Result r = Benchmark.run(t, p, n, threadsOption.get(), reps, warmupRounds);
            var out = spec.commandLine().getOut();
            String fileType = GgufSummary.of(file.header())
                    .fileType()
                    .map(Object::toString)
                    .orElse("?");
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("model", model.toString());
                doc.put("file_type", fileType);
                doc.put("threads", threadsOption.get());
                doc.put("pp_tokens", p);
                doc.put("tg_tokens", n);
                doc.put("pp_tok_s", r.ppTokS());
                doc.put("pp_std", r.ppStd());
                doc.put("tg_tok_s", r.tgTokS());
                doc.put("tg_std", r.tgStd());
                doc.put("warmup_rounds", r.warmupRounds());
                doc.put("vectorized", Kernels.vectorized());
                out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(doc));
            } else {
                out.printf(
                        Locale.ROOT,
                        "model: %s (%s), %d threads, %d warm-up rounds%s%n",
                        model,
                        fileType,
                        threadsOption.get(),
                        r.warmupRounds(),
                        warmupRounds == Benchmark.AUTO_WARMUP ? " (until steady)" : "");
                if (p > 0) {
                    out.printf(Locale.ROOT, "pp%d: %.2f ± %.2f tok/s%n", p, r.ppTokS(), r.ppStd());
                }
                if (n > 0) {
                    out.printf(Locale.ROOT, "tg%d: %.2f ± %.2f tok/s%n", n, r.tgTokS(), r.tgStd());
                }
            }
            return 0;
        }
    }

    private static int warmupRounds(String value) {
        if (value.equalsIgnoreCase("auto")) {
            return Benchmark.AUTO_WARMUP;
        }
        try {
            int rounds = Integer.parseInt(value.strip());
            if (rounds >= 0) {
                return rounds;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--warmup takes auto or a number of rounds >= 0, got '" + value + "'");
    }
}

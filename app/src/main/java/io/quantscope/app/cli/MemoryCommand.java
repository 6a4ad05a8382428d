package io.quantscope.app.cli;

import io.quantscope.analysis.KvType;
import io.quantscope.analysis.MemoryEstimate;
import io.quantscope.analysis.MemoryEstimator;
import io.quantscope.gguf.GgufFile;
import io.quantscope.recipe.Preset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quantscope memory MODEL [--type PRESET] [--ctx N] [--kv-type f16|q8_0|q4_0] [--budget-gb X] [--json]}: what the
 * model (or the variant a preset would make) needs in memory, and whether it fits this machine and common GPUs.
 */
@Command(name = "memory", description = "Estimate the memory a model or variant needs and whether it fits.")
final class MemoryCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", description = "A .gguf model.")
    Path model;

    @Option(names = "--type", description = "Estimate the variant this preset would make (default: the file as it is).")
    String type;

    @Option(names = "--ctx", description = "Context length (default: the model's, at most 8192).")
    Integer ctx;

    @Option(names = "--kv-type", description = "KV cache type: f16 (default), q8_0, q4_0.")
    String kvType = "f16";

    @Option(names = "--budget-gb", description = "Also judge against this many GiB.")
    Double budgetGb;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Optional<Preset> preset = type == null
                ? Optional.empty()
                : Optional.of(Preset.parse(type)
                        .orElseThrow(() -> new IllegalArgumentException("unknown preset '" + type + "'")));
        KvType kv = KvType.parse(kvType);
        OptionalLong custom = budgetGb == null ? OptionalLong.empty() : OptionalLong.of((long) (budgetGb * (1L << 30)));
        MemoryEstimate m;
        try (GgufFile f = GgufFile.open(model)) {
            int context = ctx != null
                    ? ctx
                    : (int) Math.min(
                            8192,
                            io.quantscope.model.ModelConfig.of(f.metadata()).contextLength());
            m = MemoryEstimator.estimate(f.header(), preset, context, kv, Machine.physicalMemory(), custom);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.mapper().writeValueAsString(m));
            return 0;
        }
        out.printf(
                Locale.ROOT,
                "%s%s at ctx %d, %s KV cache%n",
                model.getFileName(),
                m.preset() == null ? "" : " as " + m.preset(),
                m.ctx(),
                m.kvType());
        out.printf(Locale.ROOT, "  weights   %12s%n", Format.bytes(m.weightsBytes()));
        out.printf(Locale.ROOT, "  KV cache  %12s%n", Format.bytes(m.kvBytes()));
        out.printf(Locale.ROOT, "  compute   %12s%n", Format.bytes(m.computeBytes()));
        out.printf(Locale.ROOT, "  overhead  %12s%n", Format.bytes(m.overheadBytes()));
        out.printf(Locale.ROOT, "  total     %12s%n", Format.bytes(m.totalBytes()));
        for (MemoryEstimate.Verdict v : m.verdicts()) {
            out.printf(
                    Locale.ROOT,
                    "  %-20s %10s  %5.1f%%  %s%n",
                    v.target(),
                    Format.bytes(v.budgetBytes()),
                    v.usedPct(),
                    v.verdict());
        }
        return 0;
    }
}

package io.quantscope.app.cli;

import io.quantscope.convert.QuantizeJob;
import io.quantscope.convert.QuantizeProgress;
import io.quantscope.gguf.GgufFile;
import io.quantscope.imatrix.ImportanceMatrix;
import io.quantscope.recipe.Plan;
import io.quantscope.recipe.Preset;
import io.quantscope.recipe.QuantizeOptions;
import io.quantscope.tensor.GgmlType;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quantscope quantize IN OUT --type PRESET [options]}: llama-quantize, byte for byte. */
@Command(name = "quantize", description = "Quantize a GGUF model with a llama-quantize preset (byte-identical output).")
final class QuantizeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "Source .gguf (F32, F16 or BF16).")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", arity = "0..1", description = "Output .gguf (not with --dry-run).")
    Path out;

    @Option(names = "--type", required = true, paramLabel = "PRESET", description = "Q2_K ... Q8_0, F16, BF16.")
    String type;

    @Option(names = "--imatrix", paramLabel = "FILE", description = "Importance matrix (llama-imatrix .dat).")
    String imatrix;

    @picocli.CommandLine.Mixin
    ThreadsOption threadsOption = new ThreadsOption();

    @Option(names = "--dry-run", description = "Print per-tensor types and the exact output size; write nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Option(names = "--pure", description = "Use the preset's base type for every tensor.")
    boolean pure;

    @Option(names = "--output-tensor-type", paramLabel = "TYPE", description = "Type for output.weight.")
    String outputTensorType;

    @Option(names = "--token-embedding-type", paramLabel = "TYPE", description = "Type for token_embd.weight.")
    String tokenEmbeddingType;

    @Option(names = "--leave-output-tensor", description = "Keep output.weight unquantized.")
    boolean leaveOutputTensor;

    @Option(names = "--allow-requantize", description = "Accept an already quantized source (loses quality).")
    boolean allowRequantize;

    @Option(
            names = "--tensor-type",
            paramLabel = "PATTERN=TYPE",
            description = "Force a type for tensors whose name matches (regex), e.g. ffn_down=Q6_K. Repeatable.")
    List<String> tensorTypes = new ArrayList<>();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** The JSON of a dry run: the tensors with their types and the exact output size. */
    record DryRun(String preset, List<TensorType> tensors, long bytes, long tensorBytes) {}

    record TensorType(String name, String type) {}

    /** The JSON of a finished job. */
    record Done(String output, String preset, long bytes, double seconds, List<TensorType> tensors) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        QuantizeOptions opt = options();
        if (dryRun) {
            Plan plan;
            try (GgufFile f = GgufFile.open(in)) {
                plan = Plan.of(f.header(), opt);
            }
            if (json) {
                stdout.println(Json.mapper()
                        .writeValueAsString(
                                new DryRun(opt.preset().name(), types(plan), plan.fileBytes(), plan.tensorBytes())));
            } else {
                for (TensorType t : types(plan)) stdout.printf("%-40s %s%n", t.name(), t.type());
                stdout.printf("bytes %d (%s)%n", plan.fileBytes(), Format.bytes(plan.fileBytes()));
            }
            return 0;
        }
        if (out == null) {
            throw new IllegalArgumentException("quantize needs an output file (or --dry-run)");
        }
        QuantizeJob.Result r = runCancellable(opt);
        if (json) {
            stdout.println(Json.mapper()
                    .writeValueAsString(new Done(
                            r.output().toString(),
                            opt.preset().name(),
                            r.bytes(),
                            r.elapsed().toNanos() / 1e9,
                            types(r.plan()))));
        } else {
            stdout.printf(
                    Locale.ROOT,
                    "wrote %s: %s bytes (%s, %.2f bits per weight) in %.2f s%n",
                    r.output(),
                    Format.count(r.bytes()),
                    opt.preset(),
                    r.plan().tensorBytes()
                            * 8.0
                            / r.plan().entries().stream()
                                    .mapToLong(e -> e.target().elementCount())
                                    .sum(),
                    r.elapsed().toNanos() / 1e9);
        }
        return 0;
    }

    /** Runs the job; Ctrl-C cancels it and waits until the partial file is gone. */
    private QuantizeJob.Result runCancellable(QuantizeOptions opt) throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        boolean showProgress = !json && System.console() != null;
        try (CtrlC ctrlC = new CtrlC()) {
            return QuantizeJob.run(
                    in,
                    out,
                    opt,
                    threadsOption.get(),
                    showProgress ? progressPrinter(err) : p -> {},
                    ctrlC.cancellation());
        } finally {
            if (showProgress) err.print("\r\033[K");
        }
    }

    private static QuantizeProgress.Listener progressPrinter(PrintWriter err) {
        long[] last = {0};
        return p -> {
            long now = System.nanoTime();
            if (now - last[0] < 200_000_000L && p.bytesDone() < p.bytesTotal()) return;
            last[0] = now;
            err.printf(
                    Locale.ROOT,
                    "\r\033[K[%d/%d] %-32s %5.1f%%%s",
                    p.tensorIndex() + 1,
                    p.tensorCount(),
                    p.tensorName(),
                    100 * p.fraction(),
                    p.etaSeconds() >= 0 ? String.format(Locale.ROOT, "  ETA %.0f s", p.etaSeconds()) : "");
            err.flush();
        };
    }

    private QuantizeOptions options() throws java.io.IOException {
        Preset preset = Preset.parse(type)
                .orElseThrow(() -> new IllegalArgumentException("unknown preset '" + type + "' (expected one of "
                        + java.util.Arrays.toString(Preset.values()) + ")"));
        List<QuantizeOptions.TypeOverride> overrides = new ArrayList<>();
        for (String s : tensorTypes) overrides.add(QuantizeOptions.TypeOverride.parse(s));
        ImportanceMatrix m = imatrix == null ? null : ImportanceMatrix.read(Path.of(imatrix));
        return new QuantizeOptions(
                preset,
                m,
                imatrix,
                pure,
                ggmlType(outputTensorType),
                ggmlType(tokenEmbeddingType),
                leaveOutputTensor,
                allowRequantize,
                overrides);
    }

    private static GgmlType ggmlType(String name) {
        if (name == null) return null;
        return GgmlType.fromName(name)
                .orElseThrow(() -> new IllegalArgumentException("unknown tensor type '" + name + "'"));
    }

    private static List<TensorType> types(Plan plan) {
        return plan.entries().stream()
                .map(e -> new TensorType(e.target().name(), e.target().type().name()))
                .toList();
    }
}

package io.quantscope.app.cli;

import io.quantscope.convert.Cancellation;
import io.quantscope.model.ModelShape;
import io.quantscope.model.SyntheticModel;
import io.quantscope.tensor.GgmlType;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quantscope synth OUT --shape SHAPE [--type F16]}: a deterministic random-weight model of a real shape. */
@Command(name = "synth", description = "Write a deterministic random-weight llama model of a real model's shape.")
final class SynthCommand implements Callable<Integer> {
    @Parameters(paramLabel = "OUT", description = "Output .gguf.")
    Path out;

    @Option(
            names = "--shape",
            required = true,
            paramLabel = "SHAPE",
            description = "tinyllama, llama3.2-1b, llama3-8b or llama3-8b-layers=N.")
    String shape;

    @Option(names = "--type", paramLabel = "TYPE", description = "F16 (default), BF16 or F32.")
    String type = "F16";

    @Option(names = "--seed", description = "Random seed (default 1).")
    long seed = 1;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ModelShape s = ModelShape.parse(shape);
        GgmlType t =
                GgmlType.fromName(type).orElseThrow(() -> new IllegalArgumentException("unknown type '" + type + "'"));
        long start = System.nanoTime();
        SyntheticModel.write(out, s, t, seed, Cancellation.none());
        spec.commandLine()
                .getOut()
                .printf(
                        Locale.ROOT,
                        "wrote %s: %s, %s parameters, %s, in %.1f s%n",
                        out,
                        s.name(),
                        Format.count(s.parameters()),
                        Format.bytes(java.nio.file.Files.size(out)),
                        (System.nanoTime() - start) / 1e9);
        return 0;
    }
}

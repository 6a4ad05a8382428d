package io.quantscope.app.cli;

import io.quantscope.gguf.GgufFile;
import io.quantscope.gguf.GgufSummary;
import io.quantscope.gguf.GgufTensorInfo;
import io.quantscope.gguf.GgufValue;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code quantscope inspect FILE [--json] [--full]}: what a GGUF file holds. */
@Command(name = "inspect", description = "Show a GGUF file's metadata, tensors and size by type.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "A .gguf file.")
    Path file;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Option(names = "--full", description = "With --json: print long metadata arrays in full.")
    boolean full;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (GgufFile f = GgufFile.open(file)) {
            if (json) {
                out.println(Json.mapper().writeValueAsString(InspectReport.of(f, full)));
            } else {
                printText(f, out);
            }
        }
        return 0;
    }

    static void printText(GgufFile f, PrintWriter out) {
        GgufSummary s = GgufSummary.of(f.header());
        out.printf("File          %s (%s, GGUF v%d)%n", f.path(), Format.bytes(f.fileSize()), f.version());
        out.printf("Architecture  %s%n", s.architecture());
        s.name().ifPresent(n -> out.printf("Name          %s%n", n));
        out.printf("Parameters    %s%n", Format.count(s.parameters()));
        String ftype = InspectReport.fileTypeName(s);
        out.printf("File type     %s%n", ftype == null ? "not recorded" : ftype);
        out.printf(
                "Context       %s%n",
                s.contextLength().isPresent() ? Format.count(s.contextLength().getAsLong()) : "not recorded");
        out.printf("Tokenizer     %s, %s tokens%n", s.tokenizerDescription(), Format.count(s.vocabularySize()));
        if (!s.hyperparameters().isEmpty()) {
            out.println();
            out.println("Hyperparameters");
            int w = s.hyperparameters().keySet().stream()
                    .mapToInt(String::length)
                    .max()
                    .orElse(0);
            for (Map.Entry<String, GgufValue> e : s.hyperparameters().entrySet()) {
                out.printf("  %-" + w + "s  %s%n", e.getKey(), Format.value(e.getValue()));
            }
        }
        out.println();
        out.printf("Tensors (%d)%n", f.tensors().size());
        int nameWidth = Math.max(
                4, f.tensors().stream().mapToInt(t -> t.name().length()).max().orElse(0));
        String row = "  %-" + nameWidth + "s  %-7s  %-18s  %12s  %6s%n";
        out.printf(row, "name", "type", "shape", "bytes", "bpw");
        for (Map.Entry<String, List<GgufTensorInfo>> g :
                InspectReport.groupByBlock(f.tensors()).entrySet()) {
            out.printf("  [%s]%n", g.getKey());
            for (GgufTensorInfo t : g.getValue()) {
                out.printf(
                        row,
                        t.name(),
                        t.type(),
                        Arrays.stream(t.ne()).mapToObj(Long::toString).collect(Collectors.joining(" x ")),
                        Format.count(t.byteSize()),
                        String.format("%.2f", t.type().bitsPerWeight()));
            }
        }
        out.println();
        out.println("Totals by type");
        for (GgufSummary.TypeTotal t : s.totals()) {
            out.printf(
                    "  %-7s  %4d tensors  %15s weights  %12s  %6.2f bpw%n",
                    t.type(), t.tensors(), Format.count(t.parameters()), Format.bytes(t.bytes()), t.bitsPerWeight());
        }
        out.printf(
                "Model      %s weights in %s bytes: %.2f bits per weight%n",
                Format.count(s.parameters()), Format.count(s.tensorBytes()), s.bitsPerWeight());
    }
}

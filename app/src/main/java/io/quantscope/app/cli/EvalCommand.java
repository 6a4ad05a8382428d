package io.quantscope.app.cli;

import io.quantscope.convert.Cancellation;
import io.quantscope.eval.EvalReport;
import io.quantscope.eval.EvalSettings;
import io.quantscope.eval.Evaluator;
import io.quantscope.eval.QualityStore;
import io.quantscope.eval.VariantQuality;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quantscope eval --base BASE --text FILE [--ctx N] VARIANT... [--json]}: perplexity of the base and, per
 * variant, perplexity, PPL ratio, KL divergence, same-top-p and Δp as llama-perplexity measures them.
 */
@Command(
        name = "eval",
        description = "Measure perplexity and KL divergence of variants against a base, like llama-perplexity.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--base", required = true, description = "The reference model (F32, F16 or BF16).")
    Path base;

    @Option(names = "--text", required = true, description = "A UTF-8 text file to score.")
    Path text;

    @Option(names = "--ctx", description = "Tokens per chunk (default 512).")
    int ctx = 512;

    @picocli.CommandLine.Mixin
    ThreadsOption threadsOption = new ThreadsOption();

    @Option(names = "--no-save", description = "Do not write NAME.quality.json beside each variant.")
    boolean noSave;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Parameters(paramLabel = "VARIANT", arity = "0..*", description = "Variants to compare with the base.")
    List<Path> variants = List.of();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String content = readText(text);
        PrintWriter err = spec.commandLine().getErr();
        EvalReport r;
        try (CtrlC ctrlC = new CtrlC()) {
            Cancellation cancel = ctrlC.cancellation();
            r = new Evaluator(EvalSettings.of(ctx, threadsOption.get()))
                    .run(
                            base,
                            variants,
                            content,
                            text.getFileName().toString(),
                            p -> {
                                err.printf(
                                        Locale.ROOT,
                                        "\r%s: chunk %d/%d, PPL %.4f%s",
                                        p.file(),
                                        p.chunk(),
                                        p.chunks(),
                                        p.ppl(),
                                        Double.isNaN(p.kldMean())
                                                ? ""
                                                : String.format(Locale.ROOT, ", KLD %.6f", p.kldMean()));
                                if (p.chunk() == p.chunks()) {
                                    err.println();
                                }
                                err.flush();
                            },
                            cancel);
        }
        if (!noSave && !variants.isEmpty()) {
            try {
                for (Path saved : QualityStore.save(r, variants)) {
                    err.println("saved " + saved);
                }
            } catch (IOException e) {
                err.println("warning: could not save the quality records beside the variants: " + e.getMessage());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.mapper().writeValueAsString(r));
        } else {
            print(out, r);
        }
        out.flush();
        return 0;
    }

    static String readText(Path file) throws IOException {
        try {
            return Files.readString(file);
        } catch (MalformedInputException e) {
            throw new IllegalArgumentException(file + " is not UTF-8 text");
        }
    }

    private static void print(PrintWriter out, EvalReport r) {
        out.printf(
                Locale.ROOT,
                "text: %s, %d tokens, %d chunks of %d (%d scored positions), %.1f s%n",
                r.text(),
                r.tokens(),
                r.chunks(),
                r.ctx(),
                r.base().positions(),
                r.seconds());
        out.printf(
                Locale.ROOT,
                "base: %s  PPL %.4f ± %.4f%n",
                r.base().file(),
                r.base().ppl(),
                r.base().pplUnc());
        if (r.variants().isEmpty()) {
            return;
        }
        int w = Math.max(
                7, r.variants().stream().mapToInt(v -> v.file().length()).max().orElse(7));
        out.printf(
                Locale.ROOT,
                "%-" + w + "s  %9s  %8s  %9s  %9s  %9s  %9s  %8s  %7s%n",
                "variant",
                "PPL",
                "ratio",
                "KLD mean",
                "KLD p99",
                "KLD p99.9",
                "KLD max",
                "same top",
                "RMS Δp");
        for (VariantQuality v : r.variants()) {
            out.printf(
                    Locale.ROOT,
                    "%-" + w + "s  %9.4f  %8.4f  %9.6f  %9.6f  %9.6f  %9.6f  %7.3f%%  %6.3f%%%n",
                    v.file(),
                    v.ppl(),
                    v.pplRatio(),
                    v.kldMean(),
                    v.kldP99(),
                    v.kldP999(),
                    v.kldMax(),
                    v.sameTopPPct(),
                    v.rmsDpPct());
        }
    }
}

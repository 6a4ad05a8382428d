package io.quantscope.app.cli;

import io.quantscope.convert.Cancellation;
import io.quantscope.eval.CompareListener;
import io.quantscope.eval.CompareReport;
import io.quantscope.eval.CompareSettings;
import io.quantscope.eval.Comparer;
import io.quantscope.eval.ModelRun;
import io.quantscope.infer.TokenEvent;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quantscope compare --base BASE --prompt TEXT [-n N] [--temp 0] [--seed S] VARIANT... [--json]}: the same
 * prompt through the base and every variant; each variant's text, speed, first departure from the base's text, and
 * per-token KLD and top-1 agreement along the base's continuation.
 */
@Command(name = "compare", description = "Run one prompt through a base and its variants and show where they depart.")
final class CompareCommand implements Callable<Integer> {
    @Option(names = "--base", required = true, description = "The reference model.")
    Path base;

    @Option(names = "--prompt", required = true, description = "The text to continue.")
    String prompt;

    @picocli.CommandLine.Mixin
    SamplingOptions sampling = new SamplingOptions();

    @picocli.CommandLine.Mixin
    ThreadsOption threadsOption = new ThreadsOption();

    @Option(
            names = "--memory-budget-mb",
            description =
                    "Model files that fit together in this many MiB run at the same time (default: half the RAM).")
    Long budgetMb;

    @Option(names = "--json", description = "Print one JSON document.")
    boolean json;

    @Parameters(paramLabel = "VARIANT", arity = "1..*", description = "Variants to compare with the base.")
    List<Path> variants;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long budget = budgetMb != null ? budgetMb << 20 : Machine.physicalMemory() / 2;
        CompareSettings s = new CompareSettings(sampling.n, sampling.sampler(), threadsOption.get(), budget);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (CtrlC ctrlC = new CtrlC()) {
            Cancellation cancel = ctrlC.cancellation();
            CompareReport r = new Comparer(s)
                    .run(
                            base,
                            variants,
                            prompt,
                            new CompareListener() {
                                @Override
                                public void token(int model, TokenEvent event) {}

                                @Override
                                public synchronized void finished(int model, ModelRun run) {
                                    if (!json) {
                                        print(out, run, model == 0);
                                    } else {
                                        err.printf(Locale.ROOT, "%s done%n", run.file());
                                        err.flush();
                                    }
                                }
                            },
                            cancel);
            if (json) {
                out.println(Json.mapper().writeValueAsString(r));
            }
            out.flush();
            return 0;
        }
    }

    private void print(PrintWriter out, ModelRun run, boolean isBase) {
        if (isBase) {
            out.printf(Locale.ROOT, "== %s (base), %.1f tok/s%n", run.file(), run.tokensPerSecond());
        } else {
            out.printf(
                    Locale.ROOT,
                    "== %s, %.1f tok/s, %s, mean KLD %.4f, top-1 agreement %.1f%%%n",
                    run.file(),
                    run.tokensPerSecond(),
                    run.firstDivergence() < 0
                            ? "same text as the base"
                            : "leaves the base's text at token " + run.firstDivergence(),
                    run.meanKld(),
                    run.sameTopPct());
        }
        out.println(prompt + run.text());
        out.flush();
    }
}

package io.quantscope.app.cli;

import io.quantscope.convert.Cancellation;
import io.quantscope.imatrix.ImatrixJob;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code quantscope imatrix MODEL --text FILE -o OUT [--ctx N]}: an importance matrix in llama-imatrix's .dat format,
 * for {@code quantize --imatrix}.
 */
@Command(name = "imatrix", description = "Compute an importance matrix over a text, like llama-imatrix.")
final class ImatrixCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", description = "The model to run (normally the F32/F16/BF16 source).")
    Path model;

    @Option(names = "--text", required = true, description = "A UTF-8 calibration text.")
    Path text;

    @Option(
            names = {"-o", "--output"},
            required = true,
            description = "The .dat file to write.")
    Path output;

    @Option(names = "--ctx", description = "Tokens per chunk (default 512).")
    int ctx = 512;

    @Option(names = "--process-output", description = "Also collect output.weight.")
    boolean processOutput;

    @picocli.CommandLine.Mixin
    ThreadsOption threadsOption = new ThreadsOption();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        String content = EvalCommand.readText(text);
        PrintWriter err = spec.commandLine().getErr();
        try (CtrlC ctrlC = new CtrlC()) {
            Cancellation cancel = ctrlC.cancellation();
            ImatrixJob.Result r = ImatrixJob.run(
                    model,
                    content,
                    ctx,
                    threadsOption.get(),
                    processOutput,
                    p -> {
                        err.printf(Locale.ROOT, "\rchunk %d/%d, PPL %.4f", p.chunk(), p.chunks(), p.ppl());
                        err.flush();
                    },
                    cancel);
            err.println();
            ImatrixJob.write(r.collector(), output, text.toString());
            spec.commandLine()
                    .getOut()
                    .printf(
                            Locale.ROOT,
                            "wrote %s: %d tensors, %d chunks of %d tokens, PPL %.4f%n",
                            output,
                            r.collector().size(),
                            r.chunks(),
                            ctx,
                            r.ppl());
            return 0;
        }
    }
}

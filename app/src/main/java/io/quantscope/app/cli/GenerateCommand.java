package io.quantscope.app.cli;

import io.quantscope.convert.Cancellation;
import io.quantscope.gguf.GgufFile;
import io.quantscope.infer.Generation;
import io.quantscope.infer.Generator;
import io.quantscope.infer.SamplerSettings;
import io.quantscope.infer.Transformer;
import io.quantscope.tokenizer.Tokenizer;
import io.quantscope.tokenizer.Vocabulary;
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
 * {@code quantscope generate MODEL --prompt TEXT [-n N] [--temp T] [--seed S]}: prints the prompt and its continuation
 * as llama-simple does (BOS shown, greedy at temperature 0), timings on stderr.
 */
@Command(name = "generate", description = "Continue a prompt with a model, streaming the text.")
final class GenerateCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MODEL", description = "A .gguf model.")
    Path model;

    @Option(names = "--prompt", required = true, description = "The text to continue.")
    String prompt;

    @picocli.CommandLine.Mixin
    SamplingOptions sampling = new SamplingOptions();

    @Option(names = "--ctx", description = "Context length (default: prompt + n, at most the model's).")
    Integer ctx;

    @picocli.CommandLine.Mixin
    ThreadsOption threadsOption = new ThreadsOption();

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (CtrlC ctrlC = new CtrlC();
                GgufFile file = GgufFile.open(model)) {
            Cancellation cancel = ctrlC.cancellation();
            Transformer t = Transformer.of(file);
            Tokenizer tok = Tokenizer.of(Vocabulary.of(file.metadata()));
            List<Integer> promptTokens = tok.encode(prompt, true, true);
            int context =
                    ctx != null ? ctx : Math.min(t.config().contextLength(), promptTokens.size() + sampling.n + 1);
            SamplerSettings s = sampling.sampler();
            PrintWriter out = spec.commandLine().getOut();
            Utf8Pieces text = new Utf8Pieces();
            for (int id : promptTokens) {
                out.print(text.add(tok.piece(id, true)));
            }
            out.flush();
            Generation g = new Generator(t, tok, threadsOption.get())
                    .generate(
                            promptTokens,
                            sampling.n,
                            context,
                            s,
                            e -> {
                                out.print(text.add(e.piece()));
                                out.flush();
                            },
                            cancel);
            out.println(text.rest());
            out.flush();
            spec.commandLine()
                    .getErr()
                    .printf(
                            Locale.ROOT,
                            "prompt: %d tokens, %.1f tok/s; generated: %d tokens, %.1f tok/s; stop: %s%n",
                            g.promptTokens().size(),
                            g.promptTokensPerSecond(),
                            g.tokens().size(),
                            g.tokensPerSecond(),
                            g.stop());
            return 0;
        }
    }
}

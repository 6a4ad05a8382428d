package io.quantscope.app.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code quantscope} command line: headless subcommands that print to stdout and exit non-zero on failure. */
@Command(
        name = "quantscope",
        mixinStandardHelpOptions = true,
        versionProvider = Versions.class,
        description = "Create, inspect and compare llama.cpp GGUF quantizations. Without a subcommand, opens the app.",
        subcommands = {
            InspectCommand.class,
            QuantizeCommand.class,
            SynthCommand.class,
            GenerateCommand.class,
            BenchCommand.class,
            EvalCommand.class,
            ImatrixCommand.class,
            CompareCommand.class,
            MemoryCommand.class,
            StatsCommand.class,
            StoriesCommand.class
        })
public final class QuantscopeCli {

    @Option(names = "--debug", description = "Show stack traces of errors.", scope = CommandLine.ScopeType.INHERIT)
    boolean debug;

    /** Runs a command line and returns the exit code; output goes to the process's stdout and stderr. */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs a command line writing to these streams (tests). */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new QuantscopeCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            boolean debug = java.util.Arrays.asList(args).contains("--debug");
            if (debug) {
                ex.printStackTrace(err);
            }
            err.println("quantscope: " + oneLine(ex));
            err.flush();
            return 1;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    private static String oneLine(Throwable ex) {
        String msg = ex.getMessage();
        if (ex instanceof java.nio.file.NoSuchFileException) {
            msg = msg + ": no such file";
        } else if (ex instanceof java.nio.file.AccessDeniedException) {
            msg = msg + ": permission denied";
        } else if (msg == null || msg.isBlank()) {
            msg = ex.getClass().getSimpleName();
        }
        return msg.replace('\n', ' ');
    }
}

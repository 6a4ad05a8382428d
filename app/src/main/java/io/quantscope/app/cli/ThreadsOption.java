package io.quantscope.app.cli;

import picocli.CommandLine.Option;

/** The {@code --threads N} option every compute command takes (mixed in, so it reads and defaults the same). */
final class ThreadsOption {
    @Option(names = "--threads", paramLabel = "N", description = "Threads (default: all cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    /** The threads asked for. @throws IllegalArgumentException if fewer than one */
    int get() {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1 (got " + threads + ")");
        }
        return threads;
    }
}

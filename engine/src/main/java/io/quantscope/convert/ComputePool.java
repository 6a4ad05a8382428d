package io.quantscope.convert;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** The engine's compute threads: one daemon pool sized to the machine, shared by every job in the process. */
public final class ComputePool {
    private static final ExecutorService POOL = Executors.newFixedThreadPool(
            Runtime.getRuntime().availableProcessors(), new java.util.concurrent.ThreadFactory() {
                private final AtomicInteger n = new AtomicInteger();

                @Override
                public Thread newThread(Runnable r) {
                    Thread t = new Thread(r, "quantscope-compute-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }
            });

    private ComputePool() {}

    /** Runs {@code parts} tasks {@code body(part)} in parallel and waits for all; rethrows the first failure. */
    public static void parallel(int parts, PartBody body) {
        if (parts == 1) {
            body.run(0);
            return;
        }
        List<Future<?>> futures = new ArrayList<>(parts);
        for (int p = 1; p < parts; p++) {
            int part = p;
            futures.add(POOL.submit(() -> body.run(part)));
        }
        RuntimeException first = null;
        try {
            body.run(0); // the calling thread takes a part itself rather than sleeping until the others finish
        } catch (RuntimeException e) {
            first = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (first == null) {
                    first = e.getCause() instanceof RuntimeException re ? re : new RuntimeException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(x -> x.cancel(true));
                throw new java.util.concurrent.CancellationException("interrupted");
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @FunctionalInterface
    public interface PartBody {
        void run(int part);
    }
}

package io.quantscope.convert;

import java.util.concurrent.CancellationException;

/** A flag long-running engine work checks (per tensor, per block of rows, per token); set from any thread. */
public final class Cancellation {
    private volatile boolean cancelled;

    public static Cancellation none() {
        return new Cancellation();
    }

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** @throws CancellationException if {@link #cancel()} was called */
    public void check() {
        if (cancelled) {
            throw new CancellationException("cancelled");
        }
    }
}

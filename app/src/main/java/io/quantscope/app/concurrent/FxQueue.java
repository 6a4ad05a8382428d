package io.quantscope.app.concurrent;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import javafx.application.Platform;

/**
 * Hands updates from worker threads to the FX thread: they queue up, and at most one {@code Platform.runLater} is
 * pending at a time, draining everything queued so far (so a fast stream of tokens cannot flood the FX thread).
 */
public final class FxQueue {
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    /** Runs {@code update} on the FX thread soon, after every update posted before it. */
    public void post(Runnable update) {
        queue.add(update);
        if (scheduled.compareAndSet(false, true)) {
            Platform.runLater(this::drain);
        }
    }

    private void drain() {
        scheduled.set(false);
        Runnable r;
        while ((r = queue.poll()) != null) {
            r.run();
        }
    }
}

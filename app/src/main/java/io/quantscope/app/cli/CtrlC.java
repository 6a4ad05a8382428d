package io.quantscope.app.cli;

import io.quantscope.convert.Cancellation;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C cancels the command's engine work: while open, a shutdown hook sets the cancellation and waits (up to 5 s)
 * until the work has stopped and cleaned up after itself (partial files deleted).
 */
final class CtrlC implements AutoCloseable {
    private final Cancellation cancel = new Cancellation();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    CtrlC() {
        hook = new Thread(() -> {
            cancel.cancel();
            try {
                finished.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
    }

    Cancellation cancellation() {
        return cancel;
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running: it waits for the latch above
        }
    }
}

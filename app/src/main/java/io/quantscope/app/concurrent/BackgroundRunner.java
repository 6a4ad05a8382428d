package io.quantscope.app.concurrent;

import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * Runs engine work off the FX thread and hands the result back on it. View-models depend on this, not on an
 * executor, so their tests can run work on the calling thread.
 */
public interface BackgroundRunner {
    /**
     * Runs {@code work} in the background, then {@code onSuccess} or {@code onFailure} on the FX thread.
     *
     * @param title what the work is, for the status bar and job lists
     */
    <T> void run(String title, Callable<T> work, Consumer<T> onSuccess, Consumer<Throwable> onFailure);

    /** Runs everything on the calling thread (tests, and work already off the FX thread). */
    static BackgroundRunner sameThread() {
        return new BackgroundRunner() {
            @Override
            public <T> void run(String title, Callable<T> work, Consumer<T> onSuccess, Consumer<Throwable> onFailure) {
                T value;
                try {
                    value = work.call();
                } catch (Exception e) {
                    onFailure.accept(e);
                    return;
                }
                onSuccess.accept(value);
            }
        };
    }
}

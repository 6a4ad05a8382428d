package io.quantscope.convert;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's compute threads, shared by every job in the process: a daemon pool sized to the machine for long
 * parts, and a few workers that spin briefly between parallel regions for short ones. Generating one token runs some
 * ninety regions of a few hundred microseconds each, back to back; handing each to a parked pool thread costs a
 * wake-up per region. A spinning worker picks the next region up within a microsecond and parks only after
 * {@link #SPIN_NANOS} without work. (Measured on a 2-core VM: within that host's noise, never slower.)
 */
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

    /** How long a spinning worker waits for the next region before it parks. */
    static final long SPIN_NANOS = 2_000_000;

    /** Workers for regions; the caller runs part 0, so a machine with {@code n} cores gets {@code n − 1}. */
    private static final Spinner[] SPINNERS = startSpinners(Runtime.getRuntime().availableProcessors() - 1);

    /** Held by the one caller whose region the spinners are running; others use {@link #POOL}. */
    private static final AtomicBoolean SPINNERS_BUSY = new AtomicBoolean();

    private ComputePool() {}

    /** Runs {@code parts} tasks {@code body(part)} in parallel and waits for all; rethrows the first failure. */
    public static void parallel(int parts, PartBody body) {
        if (parts == 1) {
            body.run(0);
            return;
        }
        if (parts - 1 <= SPINNERS.length
                && !(Thread.currentThread() instanceof Spinner)
                && SPINNERS_BUSY.compareAndSet(false, true)) {
            try {
                onSpinners(parts, body);
            } finally {
                SPINNERS_BUSY.set(false);
            }
            return;
        }
        onPool(parts, body);
    }

    private static void onPool(int parts, PartBody body) {
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

    private static void onSpinners(int parts, PartBody body) {
        Region region = new Region(body, parts - 1);
        for (int i = 0; i < parts - 1; i++) {
            SPINNERS[i].hand(region, i + 1);
        }
        RuntimeException first = null;
        try {
            body.run(0);
        } catch (RuntimeException e) {
            first = e;
        }
        long spins = 0;
        while (region.pending.get() > 0) {
            if (++spins < 10_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // a worker was descheduled: let it run
            }
        }
        Throwable failure = region.failure.get();
        if (first == null && failure != null) {
            first = failure instanceof RuntimeException re ? re : new RuntimeException(failure);
        }
        if (first != null) {
            throw first;
        }
    }

    private static Spinner[] startSpinners(int n) {
        Spinner[] s = new Spinner[Math.max(0, n)];
        for (int i = 0; i < s.length; i++) {
            s[i] = new Spinner(i + 1);
            s[i].start();
        }
        return s;
    }

    /** One parallel region handed to the spinners: its body, and the parts not yet finished. */
    private static final class Region {
        final PartBody body;
        final AtomicInteger pending;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Region(PartBody body, int parts) {
            this.body = body;
            this.pending = new AtomicInteger(parts);
        }
    }

    /** A worker that takes one part of each region handed to it, spinning between regions before it parks. */
    private static final class Spinner extends Thread {
        private volatile Region region;
        private volatile int part;
        private volatile boolean parked;

        Spinner(int n) {
            super("quantscope-spin-" + n);
            setDaemon(true);
        }

        void hand(Region r, int p) {
            part = p;
            region = r; // published after part: the worker reads region first
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            while (true) {
                Region r = awaitRegion();
                region = null;
                try {
                    r.body.run(part);
                } catch (Throwable t) {
                    r.failure.compareAndSet(null, t);
                } finally {
                    r.pending.decrementAndGet();
                }
            }
        }

        private Region awaitRegion() {
            long start = System.nanoTime();
            int spins = 0;
            while (true) {
                Region r = region;
                if (r != null) {
                    return r;
                }
                if ((++spins & 63) != 0 || System.nanoTime() - start < SPIN_NANOS) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                if (region == null) {
                    LockSupport.park(this);
                }
                parked = false;
                start = System.nanoTime();
            }
        }
    }

    @FunctionalInterface
    public interface PartBody {
        void run(int part);
    }
}

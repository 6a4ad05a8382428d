package io.quantscope.convert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The compute pool's contract whichever way a region runs (on the spinning workers, or on the executor when they are
 * taken or too few): every part runs exactly once, the caller sees the parts' writes when it returns, a part's
 * failure reaches the caller, and regions started from inside a part or from several threads at once finish.
 */
@Timeout(60)
class ComputePoolTest {
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    @Test
    void everyPartRunsOnceAndItsWritesAreSeen() {
        for (int parts : new int[] {1, 2, CORES, CORES + 3}) {
            for (int round = 0; round < 2000; round++) {
                AtomicIntegerArray runs = new AtomicIntegerArray(parts);
                long[] written = new long[parts];
                int r = round;
                ComputePool.parallel(parts, p -> {
                    runs.incrementAndGet(p);
                    written[p] = (long) r * 1000 + p; // a plain write: parallel() must publish it
                });
                long[] expected = new long[parts];
                for (int p = 0; p < parts; p++) {
                    assertEquals(1, runs.get(p), "part " + p + " of " + parts + ", round " + round);
                    expected[p] = (long) round * 1000 + p;
                }
                assertArrayEquals(expected, written, parts + " parts, round " + round);
            }
        }
    }

    @Test
    void aFailingPartReachesTheCallerAfterTheOthersFinish() {
        int parts = Math.max(2, CORES);
        AtomicIntegerArray finished = new AtomicIntegerArray(parts);
        IllegalStateException boom = new IllegalStateException("boom");
        RuntimeException thrown = assertThrows(
                RuntimeException.class,
                () -> ComputePool.parallel(parts, p -> {
                    if (p == parts - 1) {
                        throw boom;
                    }
                    finished.incrementAndGet(p);
                }));
        assertSame(boom, thrown);
        for (int p = 0; p < parts - 1; p++) {
            assertEquals(1, finished.get(p), "part " + p);
        }
        // the pool is usable afterwards
        AtomicIntegerArray runs = new AtomicIntegerArray(parts);
        ComputePool.parallel(parts, runs::incrementAndGet);
        for (int p = 0; p < parts; p++) {
            assertEquals(1, runs.get(p));
        }
    }

    @Test
    void regionsInsidePartsAndFromManyThreadsFinish() throws InterruptedException {
        int parts = Math.max(2, CORES);
        ConcurrentHashMap<String, Boolean> seen = new ConcurrentHashMap<>();
        ComputePool.parallel(parts, outer -> ComputePool.parallel(parts, inner -> seen.put(outer + "/" + inner, true)));
        assertEquals(parts * parts, seen.size());

        int callers = 4;
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicIntegerArray totals = new AtomicIntegerArray(callers);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            int caller = c;
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    for (int round = 0; round < 500; round++) {
                        ComputePool.parallel(parts, p -> totals.incrementAndGet(caller));
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads.add(t);
            t.start();
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertTrue(failure.get() == null, () -> "a caller failed: " + failure.get());
        for (int c = 0; c < callers; c++) {
            assertEquals(500 * parts, totals.get(c), "caller " + c);
        }
    }
}

package io.hyphae.rpc.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The default handler executor: a fixed number of daemon threads over a FIFO
 * {@link ForkJoinPool}, with a bound on the tasks waiting. Past the bound {@link #execute}
 * throws {@link RejectedExecutionException}, which the RPC node turns into an {@code OVERLOADED}
 * answer.
 *
 * <p>Why not a {@code ThreadPoolExecutor}: its hand-off is an {@code ArrayBlockingQueue} guarded
 * by one lock that the submitting event loop and the waking worker both take. Alternating W1
 * runs (docs/performance.md) put the fork-join hand-off's p50 ahead in 4 of 5 pairs, by about
 * 15 %. Handlers may block: a blocked worker holds its thread, as in a fixed pool.
 */
final class HandlerPool implements Executor {

    private final ForkJoinPool pool;
    private final int capacity;
    private final AtomicInteger waiting = new AtomicInteger();

    HandlerPool(int threads, int capacity, String threadPrefix) {
        this.capacity = capacity;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ForkJoinPool(threads, p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName(threadPrefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, null, true);
    }

    @Override
    public void execute(Runnable task) {
        if (waiting.incrementAndGet() > capacity) {
            waiting.decrementAndGet();
            throw new RejectedExecutionException("handler queue full (" + capacity + ")");
        }
        try {
            pool.execute(() -> {
                waiting.decrementAndGet();
                task.run();
            });
        } catch (RejectedExecutionException stopped) {
            waiting.decrementAndGet();
            throw stopped;
        }
    }

    /** Tasks handed over and not yet started. */
    int waiting() {
        return waiting.get();
    }

    /** Stops the threads; queued tasks are dropped. */
    void shutdownNow() {
        pool.shutdownNow();
    }
}

package io.hyphae.rpc.internal;

import io.hyphae.membership.NodeId;
import io.hyphae.rpc.wire.RpcMessage.Cast;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs cast handlers on the shared handler executor while keeping one sender's casts strictly
 * one after another: each sending node has a lane, a queue drained by at most one task at a
 * time. Lanes of different nodes run in parallel. A node that rejoins as its next incarnation
 * keeps its lane, so the new incarnation's casts run after the old one's, never beside them.
 *
 * <p>Offers for one origin must come from one thread at a time (the RPC node makes them on its
 * loop, in the order the casts became deliverable); draining runs on the executor. A drain hands
 * up to {@link #BATCH} casts to the handlers in one task, so a stream of casts costs one
 * executor hand-off per batch, not one per cast.
 */
final class CastLanes {

    // How many casts one drain task hands over before yielding its thread to other work.
    private static final int BATCH = 256;
    private static final long RETRY_MICROS = 500;

    private final Executor executor;
    private final Later retry;
    private final int capacity;
    private final Consumer<Cast> deliver;
    private final ConcurrentHashMap<NodeKey, Lane> lanes = new ConcurrentHashMap<>();

    /** Runs work after a delay (the RPC loop's timer). */
    @FunctionalInterface
    interface Later {
        void schedule(Runnable work, long delayNanos);
    }

    CastLanes(Executor executor, Later retry, int capacity, Consumer<Cast> deliver) {
        this.executor = executor;
        this.retry = retry;
        this.capacity = capacity;
        this.deliver = deliver;
    }

    /** Queues {@code cast} behind its origin's earlier ones; false when that origin's lane is full. */
    boolean offer(Cast cast) {
        Lane lane = lanes.computeIfAbsent(NodeKey.of(cast.origin()), o -> new Lane());
        lane.origin = cast.origin();
        return lane.offer(cast);
    }

    /**
     * Drops the lane of a departed origin, unless a newer incarnation of that node has cast into
     * it since; casts it still holds are delivered by the drain already holding it. On the
     * thread that offers.
     */
    void remove(NodeId origin) {
        lanes.computeIfPresent(NodeKey.of(origin), (node, lane) -> lane.origin.equals(origin) ? null : lane);
    }

    int queued() {
        int n = 0;
        for (Lane lane : lanes.values()) {
            n += lane.size.get();
        }
        return n;
    }

    private final class Lane implements Runnable {
        final ConcurrentLinkedQueue<Cast> queue = new ConcurrentLinkedQueue<>();
        final AtomicInteger size = new AtomicInteger();
        final AtomicBoolean scheduled = new AtomicBoolean();
        // The incarnation that offered last; read and written by the offering thread only.
        NodeId origin;

        boolean offer(Cast cast) {
            if (size.get() >= capacity) {
                return false;
            }
            size.incrementAndGet();
            queue.add(cast);
            if (scheduled.compareAndSet(false, true)) {
                submit();
            }
            return true;
        }

        private void submit() {
            try {
                executor.execute(this);
            } catch (RejectedExecutionException e) {
                // The pool is saturated with requests: try again shortly rather than drop casts
                // that were already accepted (they are bounded by the lane's capacity).
                try {
                    retry.schedule(this::submit, TimeUnit.MICROSECONDS.toNanos(RETRY_MICROS));
                } catch (RejectedExecutionException stopped) {
                    // the node is closing; the queued casts go with it
                }
            }
        }

        @Override
        public void run() {
            Cast cast;
            int n = 0;
            while (n < BATCH && (cast = queue.poll()) != null) {
                size.decrementAndGet();
                deliver.accept(cast);
                n++;
            }
            scheduled.set(false);
            // An offer may have come after the last poll but before the flag was cleared.
            if (!queue.isEmpty() && scheduled.compareAndSet(false, true)) {
                submit();
            }
        }
    }
}

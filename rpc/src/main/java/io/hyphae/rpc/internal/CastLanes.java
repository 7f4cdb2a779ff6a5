package io.hyphae.rpc.internal;

import io.hyphae.membership.NodeId;
import io.hyphae.rpc.wire.RpcMessage.Cast;
import java.util.List;
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
 * executor hand-off per batch, not one per cast. Casts are offered in runs (what one inbound
 * frame made deliverable): a run costs one lane lookup and one queue entry, not one per cast.
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

    /**
     * Queues {@code casts}, in order, each behind its origin's earlier ones; returns how many
     * were dropped because their origin's lane was full. The list must not change afterwards.
     */
    int offerAll(List<Cast> casts) {
        int dropped = 0;
        int from = 0;
        while (from < casts.size()) {
            // A run of one origin's casts goes to its lane in one piece.
            NodeId origin = casts.get(from).origin();
            int to = from + 1;
            while (to < casts.size() && sameOrigin(casts.get(to).origin(), origin)) {
                to++;
            }
            Lane lane = lanes.computeIfAbsent(NodeKey.of(origin), o -> new Lane());
            lane.origin = origin;
            dropped += lane.offer(casts.subList(from, to));
            from = to;
        }
        return dropped;
    }

    // Mostly the very same object (the casts of one frame share their origin): no field-by-field equals per cast.
    private static boolean sameOrigin(NodeId a, NodeId b) {
        return a == b || a.equals(b);
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
        // Runs of casts, in order; `size` counts the casts in them, not yet handed to the handler.
        final ConcurrentLinkedQueue<List<Cast>> queue = new ConcurrentLinkedQueue<>();
        final AtomicInteger size = new AtomicInteger();
        final AtomicBoolean scheduled = new AtomicBoolean();
        // The incarnation that offered last; read and written by the offering thread only.
        NodeId origin;
        // The run a drain stopped in, and where: read and written by the drain running (one at a
        // time; the next one is started after `scheduled` is cleared, which orders the two).
        private List<Cast> current = List.of();
        private int next;

        /** Queues what fits of {@code run}; returns how many casts did not fit. */
        int offer(List<Cast> run) {
            int room = capacity - size.get();
            if (room <= 0) {
                return run.size();
            }
            List<Cast> taken = run.size() <= room ? run : run.subList(0, room);
            size.addAndGet(taken.size());
            queue.add(taken);
            if (scheduled.compareAndSet(false, true)) {
                submit();
            }
            return run.size() - taken.size();
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
            int n = 0;
            while (n < BATCH) {
                if (next == current.size()) {
                    List<Cast> run = queue.poll();
                    if (run == null) {
                        break;
                    }
                    current = run;
                    next = 0;
                }
                size.decrementAndGet();
                Cast cast = current.get(next++);
                if (next == current.size()) {
                    current = List.of(); // the lane keeps no delivered cast
                    next = 0;
                }
                deliver.accept(cast);
                n++;
            }
            scheduled.set(false);
            // An offer may have come after the last poll but before the flag was cleared.
            if ((next < current.size() || !queue.isEmpty()) && scheduled.compareAndSet(false, true)) {
                submit();
            }
        }
    }
}

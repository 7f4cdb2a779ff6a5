package io.hyphae.rpc.internal;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread the RPC state lives on: the node's event loop, or a thread of its own when the
 * messaging port has none. Work reaches it in turns; before each turn {@code beforeTurn} runs (the
 * RPC node follows the node's identity, which a rejoin changes between turns), after each turn
 * {@code endOfTurn} (the RPC node sends the casts gathered in the turn, one frame per receiver).
 *
 * <p>User threads hand commands to it through {@link #submit}: a queue drained by one task at a
 * time, so a burst of commands costs one task and at most one wake-up of the loop, not one each.
 * The queue is bounded: past {@link #MAX_QUEUED} commands waiting, {@code submit} refuses.
 */
final class RpcLoop {

    private static final Logger log = LoggerFactory.getLogger(RpcLoop.class);

    /** Commands waiting for the loop; past it callers get a clear refusal instead of the heap filling up. */
    static final int MAX_QUEUED = 1 << 18;
    // Commands run per task before the loop gets back to its other work (the node's protocols).
    private static final int COMMANDS_PER_TURN = 1024;

    private final ScheduledExecutorService loop;
    private final Optional<ScheduledExecutorService> own;
    private final Runnable beforeTurn;
    private final Runnable endOfTurn;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile Thread thread;

    /**
     * @param shared a single-threaded executor to run on (see {@code Messaging.eventLoop}), or
     *     empty for a thread of this loop's own, stopped by {@link #shutdown}
     */
    RpcLoop(Optional<ScheduledExecutorService> shared, Runnable beforeTurn, Runnable endOfTurn) {
        this.own = shared.isPresent() ? Optional.empty() : Optional.of(Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hyphae-rpc-loop");
            t.setDaemon(true);
            return t;
        }));
        this.loop = shared.orElseGet(own::orElseThrow);
        this.beforeTurn = beforeTurn;
        this.endOfTurn = endOfTurn;
    }

    /** True on the loop's thread (known once the loop ran a turn; before that, false is safe: work is handed over). */
    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /**
     * Queues {@code command} for the loop, behind the commands submitted before it.
     *
     * @return false when {@link #MAX_QUEUED} commands are waiting already, or the loop is stopped
     */
    boolean submit(Runnable command) {
        if (queued.incrementAndGet() > MAX_QUEUED) {
            queued.decrementAndGet();
            return false;
        }
        commands.add(command);
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(this::drain);
            } catch (RejectedExecutionException stopped) {
                commands.clear();
                queued.set(0);
                return false;
            }
        }
        return true;
    }

    /** Runs {@code work} now when on the loop, else as a queued command; false when it could not be queued. */
    boolean run(Runnable work) {
        if (inLoop()) {
            turn(work);
            return true;
        }
        return submit(work);
    }

    /** Runs {@code work} as a turn of its own on the loop after {@code delayNanos}. */
    ScheduledFuture<?> schedule(Runnable work, long delayNanos) {
        return loop.schedule(() -> turn(work), delayNanos, TimeUnit.NANOSECONDS);
    }

    /** Runs {@code work} on the loop thread, which the caller is on, as one turn. */
    void turn(Runnable work) {
        thread = Thread.currentThread();
        beforeTurn.run();
        try {
            work.run();
        } catch (RuntimeException e) {
            log.error("RPC loop work failed", e);
        }
        endOfTurn.run();
    }

    private void drain() {
        thread = Thread.currentThread();
        beforeTurn.run();
        Runnable c;
        int n = 0;
        while (n < COMMANDS_PER_TURN && (c = commands.poll()) != null) {
            queued.decrementAndGet();
            n++;
            try {
                c.run();
            } catch (RuntimeException e) {
                log.error("RPC command failed", e);
            }
        }
        endOfTurn.run();
        drainScheduled.set(false);
        // A command may have come after the last poll but before the flag was cleared.
        if (!commands.isEmpty() && drainScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(this::drain);
            } catch (RejectedExecutionException stopped) {
                commands.clear();
                queued.set(0);
            }
        }
    }

    /** On the loop, at close: runs every command still queued (each finds the RPC layer closed and fails its caller). */
    void runQueued() {
        Runnable c;
        while ((c = commands.poll()) != null) {
            queued.decrementAndGet();
            try {
                c.run();
            } catch (RuntimeException e) {
                log.error("RPC command failed", e);
            }
        }
    }

    int queued() {
        return queued.get();
    }

    /** Stops the loop's own thread, if it has one; a shared loop belongs to the node. */
    void shutdown() {
        own.ifPresent(ScheduledExecutorService::shutdownNow);
    }

    /**
     * One timer for a state machine with deadlines: keeps a single scheduled turn at the earliest
     * deadline the machine reports (rescheduled only when an earlier one appears).
     */
    final class Deadline {
        private final LongSupplier clock;
        private final Runnable onDue;
        private ScheduledFuture<?> scheduled;
        private long at;

        Deadline(LongSupplier clock, Runnable onDue) {
            this.clock = clock;
            this.onDue = onDue;
        }

        /** On the loop: makes sure a turn runs at {@code next}, when there is one. */
        void ensure(OptionalLong next) {
            if (next.isEmpty() || (scheduled != null && at <= next.getAsLong())) {
                return;
            }
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            at = next.getAsLong();
            try {
                scheduled = schedule(() -> {
                    scheduled = null;
                    onDue.run();
                }, Math.max(0, at - clock.getAsLong()));
            } catch (RejectedExecutionException stopped) {
                scheduled = null; // the loop is stopping; nothing is due any more
            }
        }

        void cancel() {
            if (scheduled != null) {
                scheduled.cancel(false);
                scheduled = null;
            }
        }
    }
}

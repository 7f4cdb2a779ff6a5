package io.hyphae.membership.discovery;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The loop of a polling strategy: run one poll on the node's scheduler, then schedule the next
 * after the delay the poll returned, until closed. Each poll schedules the next, so polls never
 * overlap and a strategy's state (its {@link SeedTracker}) is only ever used by one thread at a
 * time. The poll itself must not throw: a strategy turns its failures into a delay (usually
 * {@link SeedTracker#failed}).
 */
public final class PollLoop implements AutoCloseable {

    private final ScheduledExecutorService scheduler;
    private Supplier<Duration> poll;
    private volatile boolean closed;
    private final AtomicReference<Future<?>> next = new AtomicReference<>();

    /** A loop on {@code scheduler} (the node's), not yet polling. */
    public PollLoop(ScheduledExecutorService scheduler) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /**
     * Starts polling at once, unless the loop was closed already; {@code poll} runs one look-up
     * and returns how long to wait before the next.
     */
    public synchronized void start(Supplier<Duration> poll) {
        if (this.poll != null) {
            throw new IllegalStateException("already started");
        }
        this.poll = Objects.requireNonNull(poll, "poll");
        Future<?> first = scheduler.submit(this::run);
        // Unless that first poll already ran and put the one after it here: that one is next.
        next.compareAndSet(null, first);
    }

    private void run() {
        if (closed) {
            return;
        }
        Duration delay = poll.get();
        if (!closed) {
            Future<?> scheduled = scheduler.schedule(this::run, delay.toNanos(), TimeUnit.NANOSECONDS);
            next.set(scheduled);
            if (closed) {
                // close() ran between the check and here and may have cancelled the previous
                // future: this one is cancelled here (both fields are volatile, so of close()
                // and this, at least one sees the other's write).
                scheduled.cancel(false);
            }
        }
    }

    /** Stops the loop: a poll running now finishes, and no other starts. */
    @Override
    public void close() {
        closed = true;
        Future<?> f = next.get();
        if (f != null) {
            f.cancel(false);
        }
    }
}

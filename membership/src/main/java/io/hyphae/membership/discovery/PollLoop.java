package io.hyphae.membership.discovery;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
    private final Supplier<Duration> poll;
    private volatile boolean closed;
    private volatile Future<?> next;

    private PollLoop(ScheduledExecutorService scheduler, Supplier<Duration> poll) {
        this.scheduler = scheduler;
        this.poll = poll;
    }

    /** Starts polling at once; {@code poll} runs one look-up and returns how long to wait before the next. */
    public static PollLoop start(ScheduledExecutorService scheduler, Supplier<Duration> poll) {
        PollLoop loop = new PollLoop(Objects.requireNonNull(scheduler, "scheduler"), Objects.requireNonNull(poll, "poll"));
        loop.next = scheduler.submit(loop::run);
        return loop;
    }

    private void run() {
        if (closed) {
            return;
        }
        Duration delay = poll.get();
        if (!closed) {
            next = scheduler.schedule(this::run, delay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Stops the loop: a poll running now finishes, and no other starts. */
    @Override
    public void close() {
        closed = true;
        Future<?> f = next;
        if (f != null) {
            f.cancel(false);
        }
    }
}

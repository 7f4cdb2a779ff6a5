package io.hyphae.membership.transport.internal;

/**
 * How late a transport's event loop runs the tasks scheduled on it ({@link PinnedExecutor}): the
 * node's own measure of its health, as Lifeguard (memberlist) keeps one. A loop that starts its
 * timers seconds late (an overloaded machine, a long GC pause) also wrote its heartbeats and read
 * its peers' frames that late, so silence it sees on a link may be its own doing.
 *
 * <p>Written and read on the event loop only.
 */
final class LoopLag {

    private final long limitNanos;
    /** How late the scheduled task running now started. */
    private long currentNanos;
    /** When a task last started more than {@link #limitNanos} late. */
    private long laggedAtNanos;
    private boolean lagged;

    /** @param limitNanos lateness up to which the loop counts as healthy */
    LoopLag(long limitNanos) {
        this.limitNanos = limitNanos;
    }

    /** A task due at {@code dueNanos} ({@link System#nanoTime()}) starts now. */
    void started(long dueNanos) {
        long now = System.nanoTime();
        currentNanos = Math.max(0, now - dueNanos);
        if (currentNanos > limitNanos) {
            laggedAtNanos = now;
            lagged = true;
        }
    }

    /** How late the scheduled task running now started. */
    long currentNanos() {
        return currentNanos;
    }

    /** True if a task started more than the limit late within the last {@code windowNanos}. */
    boolean laggedWithin(long windowNanos) {
        return lagged && System.nanoTime() - laggedAtNanos <= windowNanos;
    }
}

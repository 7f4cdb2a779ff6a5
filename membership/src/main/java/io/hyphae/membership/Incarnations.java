package io.hyphae.membership;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands out incarnation numbers: the wall clock in microseconds at start, made strictly larger
 * than the last one handed out in this JVM, so two nodes started in one process at once, or a
 * node restarted within a millisecond, still get distinct incarnations.
 */
public final class Incarnations {

    private static final AtomicLong LAST = new AtomicLong();

    private Incarnations() {
    }

    public static long next() {
        long now = System.currentTimeMillis() * 1000;
        return LAST.updateAndGet(prev -> Math.max(prev + 1, now));
    }
}

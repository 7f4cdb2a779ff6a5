package io.hyphae.membership;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: attempt n waits a random time between half and all of
 * {@code min(max, initial * multiplier^n)}. The jitter keeps many nodes that lost the same peer
 * (or the same DNS server) from retrying in lockstep.
 */
public record Backoff(Duration initial, Duration max, double multiplier) {

    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 2.0);

    public Backoff {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0 || multiplier < 1.0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max and multiplier >= 1");
        }
    }

    /** The delay before retry number {@code attempt} (0 for the first retry). */
    public Duration delay(int attempt, RandomGenerator random) {
        double ceiling = initial.toNanos() * Math.pow(multiplier, Math.min(attempt, 62));
        long capped = (long) Math.min(ceiling, (double) max.toNanos());
        long half = capped / 2;
        return Duration.ofNanos(half + (half > 0 ? random.nextLong(half + 1) : 0));
    }
}

package io.hyphae.membership.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * The simulated network. Every value is virtual time; the simulator's clock ticks in milliseconds.
 *
 * @param seed the only source of randomness of a run: the same seed and the same script replay
 *     the same run, event for event
 * @param minLatency shortest one-way delay of a message
 * @param maxLatency longest one-way delay; each message draws uniformly between the two, and a
 *     link still delivers in order, as TCP does
 * @param lossRate share of messages silently lost while their link stays up. TCP never does
 *     that; it is a harsher fault that shows which protocol paths rely on timeouts. The
 *     simulation installs it as its first fault rule, a {@code Drop} on every link
 *     ({@link Simulation#faults()}), where partitions and the other faults join it
 * @param connectTimeout how long an attempt to reach a partitioned node takes to fail (one to a
 *     crashed node is refused after a round trip)
 * @param failureDetection how long after a crash or a partition the nodes on the other end of a
 *     link see it go down (the transport's heartbeat timeout, or an RST for a killed process)
 */
public record SimConfig(long seed, Duration minLatency, Duration maxLatency, double lossRate,
                        Duration connectTimeout, Duration failureDetection) {

    public SimConfig {
        Objects.requireNonNull(minLatency, "minLatency");
        Objects.requireNonNull(maxLatency, "maxLatency");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(failureDetection, "failureDetection");
        if (minLatency.toMillis() < 1 || maxLatency.compareTo(minLatency) < 0) {
            throw new IllegalArgumentException("latency must satisfy 1ms <= min <= max, was " + minLatency + ".." + maxLatency);
        }
        if (!(lossRate >= 0 && lossRate < 1)) {
            throw new IllegalArgumentException("lossRate must be within [0, 1), was " + lossRate);
        }
        if (connectTimeout.toMillis() < 1 || failureDetection.toMillis() < 1) {
            throw new IllegalArgumentException("connectTimeout and failureDetection must be at least 1ms");
        }
    }

    /** A data-centre LAN: 1-5 ms, no loss, a dead peer noticed within 200 ms (RST or heartbeat). */
    public static SimConfig lan(long seed) {
        return new SimConfig(seed, Duration.ofMillis(1), Duration.ofMillis(5), 0.0,
                Duration.ofMillis(200), Duration.ofMillis(200));
    }

    /** A WAN: 20-120 ms, no loss, a dead peer noticed after a 3 s heartbeat timeout. */
    public static SimConfig wan(long seed) {
        return new SimConfig(seed, Duration.ofMillis(20), Duration.ofMillis(120), 0.0,
                Duration.ofSeconds(3), Duration.ofSeconds(3));
    }

    public SimConfig withLossRate(double rate) {
        return new SimConfig(seed, minLatency, maxLatency, rate, connectTimeout, failureDetection);
    }
}

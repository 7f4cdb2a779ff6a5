package io.hyphae.membership.transport.internal;

import io.hyphae.membership.Backoff;
import io.hyphae.membership.HostAndPort;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * How soon each address may be dialled again after its dials failed: the n-th failure in a row
 * holds the address for {@link Backoff#delay(int, RandomGenerator) delay(n - 1)} (exponential,
 * jittered, capped). Without it, a dial that fails at once (a blackhole route answers
 * {@code connect()} with EINVAL, no SYN is sent) is asked for again as soon as its failure is
 * reported, by whichever layer wanted the link, and a node spends its event loop redialling:
 * 5,000 dials a second to one address in the split scenario (docs/faults.md).
 *
 * <p>A failure the peer's host <em>answered</em> (a refused connect, a failed handshake) holds
 * the address from the second in a row on, one step behind: that is what a process restarting
 * at the same address looks like for a few milliseconds (its port closed, or its connections
 * closed under a handshake), and holding it would turn away the dials to its next incarnation
 * (an RPC cast sent to it meanwhile is dropped as unreachable). A dead process refuses the
 * second dial too.
 *
 * <p>Plain state of one event loop (the transport's): time is handed in, nothing is locked. An
 * address is forgotten once it connects, or once it has been free to dial for
 * {@link Backoff#max()} (the next failure then starts from the initial delay again).
 */
final class DialBackoff {

    /** {@code count} failures in a row, the last one with {@code lastError}; no dial before {@code retryAtNanos}. */
    private record Failures(int count, long retryAtNanos, String lastError) {
    }

    private final Backoff backoff;
    private final RandomGenerator random;
    private final Map<HostAndPort, Failures> failures = new HashMap<>();

    DialBackoff(Backoff backoff, RandomGenerator random) {
        this.backoff = backoff;
        this.random = random;
    }

    /** Empty when {@code address} may be dialled at {@code nowNanos}; else why not yet. */
    Optional<Held> held(HostAndPort address, long nowNanos) {
        Failures f = failures.get(address);
        if (f == null || nowNanos - f.retryAtNanos >= 0) {
            return Optional.empty();
        }
        return Optional.of(new Held(f.count, Duration.ofNanos(f.retryAtNanos - nowNanos), f.lastError));
    }

    /**
     * A dial to {@code address} failed at {@code nowNanos}: it is held for the next delay.
     * {@code answered}: the peer's host answered (refused, or a failed handshake), see above.
     */
    void failed(HostAndPort address, long nowNanos, Throwable cause, boolean answered) {
        Failures before = failures.get(address);
        int count = before == null || settled(before, nowNanos) ? 1 : before.count + 1;
        int step = answered ? count - 2 : count - 1;
        long delay = step < 0 ? 0 : backoff.delay(step, random).toNanos();
        failures.put(address, new Failures(count, nowNanos + delay, String.valueOf(cause)));
    }

    /** {@code address} answered: the next failure starts the backoff from the beginning. */
    void succeeded(HostAndPort address) {
        failures.remove(address);
    }

    /** Drops the addresses that have been free to dial for {@link Backoff#max()}, so the table only holds recent failures. */
    void forgetSettled(long nowNanos) {
        failures.values().removeIf(f -> settled(f, nowNanos));
    }

    /** How many addresses are held or remembered now. */
    int size() {
        return failures.size();
    }

    private boolean settled(Failures f, long nowNanos) {
        return nowNanos - f.retryAtNanos >= backoff.max().toNanos();
    }

    /** An address on hold: after {@code failures} failed dials in a row, for {@code remaining} more. */
    record Held(int failures, Duration remaining, String lastError) {
    }
}

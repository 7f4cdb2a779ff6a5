package io.hyphae.membership.transport;

import io.hyphae.membership.HostAndPort;
import java.time.Duration;
import java.util.Objects;

/**
 * A {@link Transport#connect} that was not attempted: the last dials to that address failed, and
 * its backoff ({@link TransportConfig#reconnectBackoff()}) has not run out. It is an answer, not
 * a verdict on the peer: the address failed a moment ago and is not asked again before
 * {@link #retryIn()}; it carries no socket error, so it never reads as a refused connection.
 */
public final class DialBackoffException extends Exception {

    private final HostAndPort address;
    private final Duration retryIn;

    public DialBackoffException(HostAndPort address, int failures, Duration retryIn, String lastError) {
        super("not dialling " + address + " for another " + retryIn.toMillis() + " ms: its last " + failures
                + " dial(s) failed, the last with " + lastError, null, false, false); // no stack: a routine answer
        this.address = Objects.requireNonNull(address, "address");
        this.retryIn = Objects.requireNonNull(retryIn, "retryIn");
    }

    /** The address that is backing off. */
    public HostAndPort address() {
        return address;
    }

    /** How long until a dial to {@link #address()} may go out again. */
    public Duration retryIn() {
        return retryIn;
    }
}

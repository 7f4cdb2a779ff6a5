package io.hyphae.membership.transport;

import java.util.Objects;

/** A connection attempt whose handshake failed; {@link #reason()} says why. */
public final class HandshakeException extends Exception {

    private final HandshakeFailure reason;

    public HandshakeException(HandshakeFailure reason, String message) {
        super(message, null, false, false); // the reason and message say it all; a stack trace would only repeat Netty's internals
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public HandshakeFailure reason() {
        return reason;
    }
}

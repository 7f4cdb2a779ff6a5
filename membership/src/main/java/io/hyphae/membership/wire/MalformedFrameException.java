package io.hyphae.membership.wire;

/** A frame that does not decode: wrong length, unknown type, a count over its limit, bytes left over. */
public final class MalformedFrameException extends Exception {

    public MalformedFrameException(String message) {
        super(message, null, false, false); // no stack trace: this is a peer's fault, counted, not a bug here
    }
}

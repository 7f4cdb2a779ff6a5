package io.hyphae.strategy.dns;

/**
 * A poll that gave no usable answer. The message is the same for the same problem on every
 * poll (no query ids or timings), so the tracker logs it once per change of state.
 */
final class DnsFailure extends Exception {

    DnsFailure(String reason, Throwable cause) {
        super(reason, cause);
    }
}

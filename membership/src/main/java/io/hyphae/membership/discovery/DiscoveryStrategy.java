package io.hyphae.membership.discovery;

/**
 * A running source of candidate peers. It reports the complete current set through its
 * {@link SeedListener} whenever that set changes (not only once at start), keeps the last good
 * set when its backend fails, retries on its own, and never stops the node.
 */
public interface DiscoveryStrategy extends AutoCloseable {

    /** Starts discovering; must return at once and report through {@code listener} from then on. */
    void start(SeedListener listener);

    /** Stops discovering and releases every resource; idempotent. */
    @Override
    void close();
}

package io.hyphae.membership;

/** Undoes a registration (a listener, a subscription). Closing twice is harmless. */
@FunctionalInterface
public interface Registration extends AutoCloseable {

    @Override
    void close();
}

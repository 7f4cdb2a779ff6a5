package io.hyphae.rpc;

/** A registered handler; closing it unregisters the handler, after which calls get {@code NO_SUCH_HANDLER}. */
public interface Registration extends AutoCloseable {

    @Override
    void close();
}

package io.hyphae.rpc.internal;

import io.hyphae.rpc.CastHandler;
import io.hyphae.rpc.Endpoint;
import io.hyphae.rpc.Handler;
import io.hyphae.rpc.Registration;
import io.hyphae.rpc.Topic;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The handlers registered on this node, by name; endpoints and topics share one name space. */
final class HandlerRegistry {

    /** One registered name. */
    sealed interface Entry {
    }

    record CallEntry<Q, R>(Endpoint<Q, R> endpoint, Handler<Q, R> handler) implements Entry {
    }

    record CastEntry<M>(Topic<M> topic, CastHandler<M> handler) implements Entry {
    }

    private final ConcurrentHashMap<String, Entry> byName = new ConcurrentHashMap<>();

    Registration add(String name, Entry entry) {
        Entry previous = byName.putIfAbsent(name, entry);
        if (previous != null) {
            throw new IllegalStateException("a handler is already registered as '" + name + "'; close its Registration first");
        }
        return () -> byName.remove(name, entry);
    }

    Optional<Entry> lookup(String name) {
        return Optional.ofNullable(byName.get(name));
    }
}

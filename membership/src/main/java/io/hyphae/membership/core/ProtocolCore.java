package io.hyphae.membership.core;

import java.util.List;

/**
 * A protocol as a deterministic state machine, in the style of etcd's raft: the driver feeds it
 * one {@link Event} at a time, with the time, and carries out the {@link Effect}s it returns.
 * Randomness is handed to the core's constructor. A core has no threads, locks, sockets or
 * wall clock, so the Netty shell (one event-loop thread per node) and the simulator (thousands
 * of nodes on virtual time) run exactly the same code.
 *
 * @param <M> the protocol's message type
 */
public interface ProtocolCore<M> {

    /**
     * Applies one event.
     *
     * @param nowMillis the driver's monotonic clock in milliseconds (virtual time in the
     *     simulator); only differences between two values are meaningful
     * @return the effects, in the order the driver must carry them out; never null
     */
    List<Effect<M>> handle(long nowMillis, Event<M> event);
}

package io.hyphae.membership.sim;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Effect;
import io.hyphae.membership.core.Notification;
import io.hyphae.membership.core.TimerKey;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * One simulated node's view of the simulator: its identity, the virtual clock, its own seeded
 * random source, and the network with the link semantics documented on {@link Effect}.
 */
public interface SimContext {

    NodeId self();

    /** Virtual time in milliseconds since the start of the run. */
    long nowMillis();

    /** This node's random source, derived from the run's seed. */
    RandomGenerator random();

    /**
     * How late the event being handled now reaches this node: 0, except after a
     * {@link Simulation#stall}, when what waited for the node is handled as late as it waited.
     */
    long lagMillis();

    void send(NodeId to, Object message);

    /**
     * The simulator's number for {@code peer}, or -1 if there is no such node: with
     * {@link #sendTo}, a fast path for layers that send on every hop of a broadcast in runs of
     * 100,000 nodes (it skips a hash lookup per message).
     */
    int addressOf(NodeId peer);

    /** {@link #send} to the node numbered {@code address} by {@link #addressOf}. */
    void sendTo(int address, Object message);

    void connect(NodeId peer);

    void disconnect(NodeId peer);

    void schedule(TimerKey timer, Duration after);

    /**
     * Gives this node the next incarnation of its name and address and returns it, closing every
     * link it has (the other ends see them close, and a later message to the old identity finds
     * nobody): a rejoin in place, without a crash. Timers already scheduled still fire.
     */
    NodeId renewIncarnation();

    /** Carries out a core's effects in order; notifications go to {@code notifications}. */
    default <M> void apply(List<Effect<M>> effects, Consumer<Notification> notifications) {
        for (Effect<M> e : effects) {
            if (e instanceof Effect.Send<M> s) {
                send(s.to(), s.message());
            } else if (e instanceof Effect.Connect<M> c) {
                connect(c.peer());
            } else if (e instanceof Effect.Disconnect<M> d) {
                disconnect(d.peer());
            } else if (e instanceof Effect.Schedule<M> s) {
                schedule(s.timer(), s.after());
            } else if (e instanceof Effect.Notify<M> n) {
                notifications.accept(n.notification());
            }
        }
    }
}

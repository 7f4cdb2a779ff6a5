package io.hyphae.rpc;

import io.hyphae.membership.HyphaeNode;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.transport.TransportResources;
import io.hyphae.rpc.internal.FailurePathWarmUp;
import io.hyphae.rpc.internal.NodeMembership;
import io.hyphae.rpc.internal.NodeMessaging;
import io.hyphae.rpc.internal.RpcNode;
import io.hyphae.rpc.spi.MembershipView;
import io.hyphae.rpc.spi.Messaging;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Erlang's {@code rpc:multicall} and {@code gen_server:abcast} for a hyphae cluster.
 *
 * <p>Calls: {@link #multicall} runs a named handler on every target and gathers, by node, each
 * reply or the reason there is none (see {@link BadNode.Reason}). It completes the moment the
 * last target is answered and never later than its timeout; a target whose link is known dead
 * is answered at once. Casts: {@link #abcast} and {@link #cast} return at once; each receiver
 * hands each cast to its handler at most once, and one sender's casts in the order sent.
 * docs/rpc.md gives the exact guarantees, including what happens when nodes fail mid-broadcast.
 *
 * <p>Every method is thread-safe. The asynchronous forms complete their futures on an RPC
 * thread (an I/O or timer thread): attach slow continuations with the {@code *Async} variants.
 * Limits are enforced at once: a call past {@link RpcConfig#maxOutstandingCalls()} or a payload
 * over {@link RpcConfig#maxPayloadBytes()} fails with {@link RpcLimitExceededException} (the sync
 * forms throw it, the async forms return a future already failed with it).
 */
public interface Rpc extends AutoCloseable {

    /**
     * Starts a cluster node ({@link HyphaeNode#start(HyphaeConfig)}) with the RPC layer on it,
     * configured from the file's {@code rpc} section ({@link RpcConfig#from}); meters in
     * Micrometer's global registry, on the process-wide event loops. Runs {@code setup} on the
     * caller's thread once the node listens but before it joins the cluster, and returns after
     * it: register the node's endpoints and topics there, so that no peer can call this node
     * before its handlers exist (a handler registered after {@code start} returns may miss the
     * first calls, answered {@code NO_SUCH_HANDLER}). In {@code setup} the node has no members,
     * itself included: calls and casts made there reach no other node.
     *
     * <pre>
     * try (Rpc rpc = Rpc.start(config, r -> {
     *     r.register(ECHO, (caller, s) -> s);
     *     r.subscribe(EVENTS, (sender, e) -> apply(e));
     * })) { ... }
     * </pre>
     *
     * @throws io.hyphae.membership.config.ConfigException if the config is bad (the {@code rpc}
     *     section included)
     * @throws IllegalStateException if the address cannot be bound
     * @throws RuntimeException whatever {@code setup} threw; the node is closed by then
     */
    static Rpc start(HyphaeConfig config, Consumer<? super Rpc> setup) {
        return start(config, Metrics.globalRegistry, setup);
    }

    /** As {@link #start(HyphaeConfig, Consumer)} with nothing registered before the node joins. */
    static Rpc start(HyphaeConfig config) {
        return start(config, rpc -> { });
    }

    /** As {@link #start(HyphaeConfig, Consumer)}, with the node's and the RPC layer's meters in {@code meters}. */
    static Rpc start(HyphaeConfig config, MeterRegistry meters, Consumer<? super Rpc> setup) {
        return start(config, meters, TransportResources.shared(), setup);
    }

    /** As {@link #start(HyphaeConfig, MeterRegistry, Consumer)} with nothing registered before the node joins. */
    static Rpc start(HyphaeConfig config, MeterRegistry meters) {
        return start(config, meters, rpc -> { });
    }

    /** As {@link #start(HyphaeConfig, MeterRegistry, Consumer)}, on the event loops of {@code resources}. */
    static Rpc start(HyphaeConfig config, MeterRegistry meters, TransportResources resources, Consumer<? super Rpc> setup) {
        return start(config, RpcConfig.from(config.rpcSection()), meters, resources, setup);
    }

    /** As {@link #start(HyphaeConfig, MeterRegistry, TransportResources, Consumer)} with nothing registered before the node joins. */
    static Rpc start(HyphaeConfig config, MeterRegistry meters, TransportResources resources) {
        return start(config, meters, resources, rpc -> { });
    }

    /**
     * As {@link #start(HyphaeConfig, MeterRegistry, TransportResources, Consumer)} with RPC
     * settings given in code (a handler executor of your own, say) instead of the file's
     * {@code rpc} section.
     */
    static Rpc start(HyphaeConfig config, RpcConfig rpcConfig, MeterRegistry meters, TransportResources resources,
                     Consumer<? super Rpc> setup) {
        NodeMessaging messaging = new NodeMessaging();
        AtomicReference<Rpc> started = new AtomicReference<>();
        // All in the node's beforeJoining hook: the node joins only once the handlers exist. If
        // anything here throws, HyphaeNode.start closes the node and rethrows.
        HyphaeNode.start(config, meters, resources, node -> {
            FailurePathWarmUp.onceForThisJvm();
            messaging.attach(node.transport(), config.transport().wireLimits());
            messaging.use(node);
            Rpc rpc = new RpcNode(new NodeMembership(node), messaging, rpcConfig, meters, Optional.of(node));
            try {
                setup.accept(rpc);
            } catch (RuntimeException | Error e) {
                rpc.close(); // its handler pool too, not only the node
                throw e;
            }
            started.set(rpc);
        });
        return started.get();
    }

    /** As {@link #start(HyphaeConfig, RpcConfig, MeterRegistry, TransportResources, Consumer)} with nothing registered before the node joins. */
    static Rpc start(HyphaeConfig config, RpcConfig rpcConfig, MeterRegistry meters, TransportResources resources) {
        return start(config, rpcConfig, meters, resources, rpc -> { });
    }

    /**
     * Starts the RPC layer on top of a membership view and a messaging implementation; binds
     * {@code messaging}'s inbound side.
     */
    static Rpc create(MembershipView membership, Messaging messaging, RpcConfig config, MeterRegistry meters) {
        return new RpcNode(membership, messaging, config, meters);
    }

    /**
     * This node now. Its incarnation changes while it runs if the cluster declares it down by
     * mistake and it rejoins in place (see {@link HyphaeNode#self()}); read it when needed
     * rather than keep it, or compare with {@link NodeId#sameNodeAs}.
     */
    NodeId self();

    /**
     * The membership node this RPC layer runs on (members, listeners, broadcast channels).
     *
     * @throws IllegalStateException for an RPC layer built on ports with {@link #create}
     */
    HyphaeNode node();

    /** Serves {@code endpoint} on this node; replaces nothing: a second registration of a name fails. */
    <Q, R> Registration register(Endpoint<Q, R> endpoint, Handler<Q, R> handler);

    /** Receives casts to {@code topic} on this node; a second registration of a name fails. */
    <M> Registration subscribe(Topic<M> topic, CastHandler<M> handler);

    /** Calls {@code endpoint} on every live member, this node included, and waits for the result. */
    <Q, R> MulticallResult<R> multicall(Endpoint<Q, R> endpoint, Q request, Duration timeout);

    /** Calls {@code endpoint} on each of {@code targets} and waits; targets that are not live members are reported {@code NOT_A_MEMBER}. */
    <Q, R> MulticallResult<R> multicall(Collection<NodeId> targets, Endpoint<Q, R> endpoint, Q request, Duration timeout);

    <Q, R> CompletableFuture<MulticallResult<R>> multicallAsync(Endpoint<Q, R> endpoint, Q request, Duration timeout);

    <Q, R> CompletableFuture<MulticallResult<R>> multicallAsync(Collection<NodeId> targets, Endpoint<Q, R> endpoint, Q request, Duration timeout);

    /**
     * Calls {@code endpoint} on one node.
     *
     * @throws RemoteCallException when it gives no reply, with the reason
     */
    <Q, R> R call(NodeId node, Endpoint<Q, R> endpoint, Q request, Duration timeout);

    /** As {@link #call}; the future fails with {@link RemoteCallException} when the node gives no reply. */
    <Q, R> CompletableFuture<R> callAsync(NodeId node, Endpoint<Q, R> endpoint, Q request, Duration timeout);

    /** Casts {@code message} to {@code topic} on every live member, this node included, through the cluster broadcast; returns at once. */
    <M> void abcast(Topic<M> topic, M message);

    /** Casts {@code message} to {@code topic} on each of {@code targets} that is a live member, straight to each; returns at once. */
    <M> void abcast(Collection<NodeId> targets, Topic<M> topic, M message);

    /** Casts {@code message} to {@code topic} on one node; returns at once. */
    <M> void cast(NodeId node, Topic<M> topic, M message);

    /**
     * Stops: when started on a node, leaves the cluster first; then outstanding calls fail with {@link RpcException}, new ones are refused, and the
     * default handler executor is shut down (queued handlers are dropped); last, the node is closed.
     */
    @Override
    void close();
}

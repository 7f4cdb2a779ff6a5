package io.hyphae.rpc;

import io.hyphae.membership.HyphaeNode;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.transport.TransportResources;
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
     * Micrometer's global registry, on the process-wide event loops.
     *
     * @throws io.hyphae.membership.config.ConfigException if the config is bad (the {@code rpc}
     *     section included)
     * @throws IllegalStateException if the address cannot be bound
     */
    static Rpc start(HyphaeConfig config) {
        return start(config, Metrics.globalRegistry);
    }

    /** As {@link #start(HyphaeConfig)}, with the node's and the RPC layer's meters in {@code meters}. */
    static Rpc start(HyphaeConfig config, MeterRegistry meters) {
        return start(config, meters, TransportResources.shared());
    }

    /** As {@link #start(HyphaeConfig, MeterRegistry)}, on the event loops of {@code resources}. */
    static Rpc start(HyphaeConfig config, MeterRegistry meters, TransportResources resources) {
        return start(config, RpcConfig.from(config.rpcSection()), meters, resources);
    }

    /**
     * As {@link #start(HyphaeConfig, MeterRegistry, TransportResources)} with RPC settings given
     * in code (a handler executor of your own, say) instead of the file's {@code rpc} section.
     */
    static Rpc start(HyphaeConfig config, RpcConfig rpcConfig, MeterRegistry meters, TransportResources resources) {
        NodeMessaging messaging = new NodeMessaging();
        HyphaeNode node = HyphaeNode.start(config, meters, resources,
                transport -> messaging.attach(transport, config.transport().wireLimits()));
        try {
            messaging.use(node);
            return new RpcNode(new NodeMembership(node), messaging, rpcConfig, meters, Optional.of(node));
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
    }

    /**
     * Starts the RPC layer on top of a membership view and a messaging implementation; binds
     * {@code messaging}'s inbound side.
     */
    static Rpc create(MembershipView membership, Messaging messaging, RpcConfig config, MeterRegistry meters) {
        return new RpcNode(membership, messaging, config, meters);
    }

    /** This node. */
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

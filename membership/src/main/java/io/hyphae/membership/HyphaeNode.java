package io.hyphae.membership;

import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.directory.Member;
import io.hyphae.membership.faults.FaultInjector;
import io.hyphae.membership.node.internal.NettyNode;
import io.hyphae.membership.plumtree.Channels;
import io.hyphae.membership.transport.Transport;
import io.hyphae.membership.transport.TransportResources;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One running cluster member: its transport, discovery strategies, HyParView overlay, Plumtree
 * broadcast and member directory, started from one {@link HyphaeConfig}.
 *
 * <pre>
 * try (HyphaeNode node = HyphaeNode.start(HyphaeConfig.load(Path.of("hyphae.yaml")))) {
 *     node.addListener(new MembershipListener() {
 *         public void memberUp(NodeId m) { log.info("{} up", m); }
 *         public void memberDown(NodeId m, DownReason why) { log.info("{} down: {}", m, why); }
 *     });
 *     ...
 *     node.leave();
 * }
 * </pre>
 *
 * <p><b>Threading.</b> Every protocol of the node runs on one thread, {@link Transport#executor()}
 * of {@link #transport()}. Every method here may be called from any thread; the queries
 * ({@link #members()}, {@link #activeView()}, ...) run on that thread and wait for it (briefly),
 * except {@link #liveMembers()}, which reads a snapshot. Listeners are called on that thread and
 * must not block. See {@code docs/node.md}.
 */
public interface HyphaeNode extends AutoCloseable {

    /**
     * Starts a node with its meters in Micrometer's {@link Metrics#globalRegistry} (which
     * records nothing until the application adds a registry to it) on the process-wide
     * {@link TransportResources#shared()} event loops. Returns once the node listens; joining
     * the cluster goes on in the background ({@link #joined()}).
     *
     * @throws io.hyphae.membership.config.ConfigException if a discovery block's settings are bad
     * @throws IllegalStateException if the address cannot be bound
     */
    static HyphaeNode start(HyphaeConfig config) {
        return start(config, Metrics.globalRegistry, TransportResources.shared());
    }

    /** As {@link #start(HyphaeConfig)}, with the node's meters (each tagged {@code node=<name>}) in {@code meters}. */
    static HyphaeNode start(HyphaeConfig config, MeterRegistry meters) {
        return start(config, meters, TransportResources.shared());
    }

    /** As {@link #start(HyphaeConfig, MeterRegistry)}, on the event loops of {@code resources}. */
    static HyphaeNode start(HyphaeConfig config, MeterRegistry meters, TransportResources resources) {
        return start(config, meters, resources, transport -> { });
    }

    /**
     * As {@link #start(HyphaeConfig, MeterRegistry, TransportResources)}, calling
     * {@code beforeJoining} on the caller's thread with the node once it listens but before it
     * enters its directory, joins or starts discovery; the join waits until the hook returns. In
     * the hook the node has no members (not even itself) and no neighbours; listeners, channel
     * subscriptions and codecs ({@link #transport()}) added there hear everything from the join
     * on. A layer above (hyphae-rpc) registers its codec and the application's handlers there,
     * so no peer can know this node before it can answer. If the hook throws, the node is closed
     * and the exception reaches the caller.
     */
    static HyphaeNode start(HyphaeConfig config, MeterRegistry meters, TransportResources resources,
                            Consumer<HyphaeNode> beforeJoining) {
        return NettyNode.start(config, meters, resources, beforeJoining);
    }

    /**
     * This node: name, advertised address and current incarnation. The incarnation changes while
     * the node runs if the cluster declares it DOWN by mistake (it was cut off or frozen past the
     * suspicion timeout): the node then rejoins as its next incarnation, which listeners see as
     * the old one down and the new one up.
     */
    NodeId self();

    /** The config the node was started with ({@link HyphaeConfig#rpc()} is read by hyphae-rpc). */
    HyphaeConfig config();

    /**
     * Every member this node's directory holds, with its status: live (ALIVE, SUSPECT) and, for
     * a while, departed (DOWN, LEFT) incarnations. This node included.
     */
    Set<Member> members();

    /**
     * The members the directory holds live (ALIVE or SUSPECT) now, this node included. An
     * immutable snapshot swapped on every up and down event, so it is cheap to call often.
     */
    Set<NodeId> liveMembers();

    /**
     * Adds a listener. It first hears {@code memberUp} for every member live at that moment,
     * then every event after, each exactly once per incarnation.
     */
    Registration addListener(MembershipListener listener);

    /** HyParView's active view now: the neighbours this node keeps links to and gossips with. */
    Set<NodeId> activeView();

    /** HyParView's passive view now: known peers kept in reserve to repair the active view. */
    Set<NodeId> passiveView();

    /** True while the node has at least one overlay neighbour and has not left. */
    boolean joined();

    /**
     * Broadcasts {@code payload} over Plumtree to the subscribers of {@code channel} on every
     * node, this one included, each at most once per node. Returns at once; best effort when
     * nodes fail mid-broadcast. Channels below {@link Channels#FIRST_APPLICATION_CHANNEL} are
     * hyphae's own: {@link Channels#RPC_ABCAST} for hyphae-rpc; {@link Channels#DIRECTORY} is
     * refused.
     *
     * @throws IllegalArgumentException for the directory's channel or a payload over the frame limit
     * @throws IllegalStateException when the node's event loop is shut down (also from
     *     {@link #subscribe} and {@link #addListener})
     */
    void broadcast(int channel, byte[] payload);

    /** Hands every broadcast on {@code channel} delivered at this node (its own included) to {@code listener}. */
    Registration subscribe(int channel, BroadcastListener listener);

    /**
     * Sends one message straight to {@code to}, opening a link to it first if none is up (the
     * link the overlay uses, if it has one). The message's type must belong to a codec
     * registered with {@link #transport()}. Messages to one node keep their order. Never blocks.
     *
     * @return completes when the message is queued on the link to exactly that incarnation;
     *     fails when no link to it can be opened (unreachable, refused, another incarnation
     *     answered), the link's queue is full, {@code to} is this node, or the node is closed
     */
    CompletableFuture<Void> send(NodeId to, Object message);

    /**
     * The node's transport, for layers above membership (hyphae-rpc registers its codec, id
     * 16, in the {@code beforeJoining} hook of {@link #start}, and listens for links going
     * down). Do not close or disconnect through it: the overlay owns the links.
     */
    Transport transport();

    /**
     * The fault injector of this node's links, to drop, delay, duplicate or reorder the frames
     * it sends, or cut it off from other nodes, at run time (see {@code docs/fault-injection.md}).
     * Off, at no cost, until a rule is added; a rule may name only nodes in this node's directory.
     */
    FaultInjector faults();

    /**
     * Leaves the cluster gracefully: the LEFT entry is broadcast and every neighbour is told at
     * once, so the others report this node down ({@link io.hyphae.membership.directory.DownReason#LEFT})
     * without waiting for a timeout. Waits until the goodbyes are handed to the transport. The
     * node stays open (and answers nothing) until {@link #close()}.
     */
    void leave();

    /** {@link #leave()} if not done yet, then stops discovery and closes the transport. */
    @Override
    void close();
}

package io.hyphae.membership.node.internal;

import io.hyphae.membership.BroadcastListener;
import io.hyphae.membership.HyphaeNode;
import io.hyphae.membership.MembershipListener;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.Registration;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.directory.DirectoryCodec;
import io.hyphae.membership.directory.Member;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoverySeeds;
import io.hyphae.membership.faults.FaultInjector;
import io.hyphae.membership.node.NodeCore;
import io.hyphae.membership.overlay.HyParViewCodec;
import io.hyphae.membership.plumtree.Channels;
import io.hyphae.membership.plumtree.PlumtreeCodec;
import io.hyphae.membership.transport.Transport;
import io.hyphae.membership.transport.TransportResources;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link HyphaeNode} on Netty: one transport, one {@link NodeCore} driven by a
 * {@link NodeDriver} on the transport's event loop, the config's discovery strategies feeding a
 * {@link SeedJoiner}, and the node's meters. Public methods hop onto the event loop.
 */
public final class NettyNode implements HyphaeNode {

    private static final Logger log = LoggerFactory.getLogger(NettyNode.class);

    /** How long a query waits for the event loop before giving up (a loop that long stuck is a bug). */
    private static final long QUERY_TIMEOUT_SECONDS = 10;

    private final HyphaeConfig config;
    private final Transport transport;
    private final NodeDriver driver;
    private final NodeMeters meters;
    private final DiscoverySeeds discovery;
    private volatile Thread loopThread;
    private volatile boolean closed;

    private NettyNode(HyphaeConfig config, Transport transport, NodeDriver driver, NodeMeters meters,
                      DiscoverySeeds discovery) {
        this.config = config;
        this.transport = transport;
        this.driver = driver;
        this.meters = meters;
        this.discovery = discovery;
    }

    /** See {@link HyphaeNode#start(HyphaeConfig, MeterRegistry, TransportResources, Consumer)}. */
    public static HyphaeNode start(HyphaeConfig config, MeterRegistry registry, TransportResources resources,
                                   Consumer<HyphaeNode> beforeJoining) {
        // Metrics off: a registry nobody reads, which keeps no meters (a composite without children).
        MeterRegistry meterRegistry = config.metrics().enabled() ? registry : new CompositeMeterRegistry();
        Transport transport = Transport.start(config.transport(), config.nodeName(), meterRegistry, resources);
        NodeId self = transport.self();
        NodeMeters meters = new NodeMeters(meterRegistry, config.nodeName(), config.metrics().tags());
        DiscoverySeeds discovery;
        try {
            discovery = DiscoverySeeds.create(config,
                    new DiscoveryContext(config.transport().clusterName(), self, config.transport().secret(),
                            meterRegistry, DiscoveryThreads.shared()),
                    HyphaeConfig.defaultLoader());
        } catch (RuntimeException e) {
            meters.close();
            transport.close();
            throw e;
        }
        CrashRehearsal.onceForThisJvm(config.overlay(), config.broadcast(), config.directory());
        NodeCore core = new NodeCore(self, config.overlay(), config.broadcast(), Optional.of(config.directory()),
                config.transport().wireLimits(), new SplittableRandom());
        NodeDriver driver = new NodeDriver(core, transport, meters);
        SeedJoiner joiner = new SeedJoiner(driver, transport, meters);
        driver.joiner(joiner);
        NettyNode node = new NettyNode(config, transport, driver, meters, discovery);
        transport.faults().knownNodes(() -> node.members().stream().map(m -> m.id().name()).collect(Collectors.toSet()));
        transport.register(new HyParViewCodec(), driver::received);
        transport.register(new PlumtreeCodec(), driver::received);
        transport.register(new DirectoryCodec(), driver::received);
        transport.addLinkListener(driver);
        transport.addLinkHolder(driver);
        try {
            beforeJoining.accept(node);
        } catch (RuntimeException | Error e) {
            node.close(); // nothing was sent yet: the leave in close() has nobody to tell
            throw e;
        }
        node.onLoop(() -> {
            node.loopThread = Thread.currentThread();
            driver.start(List.of());
            return null;
        });
        discovery.start(seeds -> {
            try {
                node.onLoopLater(() -> joiner.seedsChanged(seeds));
            } catch (IllegalStateException e) {
                log.debug("{}: seeds after its event loop stopped are ignored", self);
            }
        });
        log.info("{} started ({} discovery strategies)", self, discovery.size());
        return node;
    }

    @Override
    public NodeId self() {
        return transport.self();
    }

    @Override
    public HyphaeConfig config() {
        return config;
    }

    @Override
    public Set<Member> members() {
        return onLoop(() -> driver.core().directory().map(d -> Set.copyOf(d.members())).orElse(Set.of()));
    }

    @Override
    public Set<NodeId> liveMembers() {
        return driver.live();
    }

    @Override
    public Registration addListener(MembershipListener listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        onLoopLater(() -> driver.addListener(listener));
        return () -> onLoopLater(() -> driver.removeListener(listener));
    }

    @Override
    public Set<NodeId> activeView() {
        return onLoop(() -> Set.copyOf(driver.core().overlay().activeView()));
    }

    @Override
    public Set<NodeId> passiveView() {
        return onLoop(() -> Set.copyOf(driver.core().overlay().passiveView()));
    }

    @Override
    public boolean joined() {
        return driver.joined();
    }

    @Override
    public void broadcast(int channel, byte[] payload) {
        if (channel == Channels.DIRECTORY) {
            throw new IllegalArgumentException("channel " + channel + " is reserved for the member directory");
        }
        int max = config.transport().wireLimits().maxFrameBytes();
        if (payload.length > max) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds the frame limit of " + max);
        }
        byte[] copy = payload.clone(); // the caller may reuse its array once this returns
        onLoopLater(() -> driver.broadcast(channel, copy));
    }

    @Override
    public Registration subscribe(int channel, BroadcastListener listener) {
        java.util.Objects.requireNonNull(listener, "listener");
        onLoopLater(() -> driver.subscribe(channel, listener));
        return () -> onLoopLater(() -> driver.unsubscribe(channel, listener));
    }

    @Override
    public CompletableFuture<Void> send(NodeId to, Object message) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (to.sameNodeAs(self())) {
            // A link to itself does not exist; the layer above delivers its own share locally.
            done.completeExceptionally(new IllegalArgumentException("cannot send to this node itself: " + to));
            return done;
        }
        try {
            onLoopLater(() -> driver.sendDirect(to, message, done));
        } catch (IllegalStateException e) {
            done.completeExceptionally(e);
        }
        return done;
    }

    @Override
    public Transport transport() {
        return transport;
    }

    @Override
    public FaultInjector faults() {
        return transport.faults();
    }

    @Override
    public void leave() {
        if (!closed) {
            onLoop(() -> {
                driver.leave();
                return null;
            });
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            leave();
        } catch (IllegalStateException e) {
            log.debug("{} closes without leaving: {}", self(), e.getMessage()); // its event loop is gone
        }
        closed = true;
        discovery.close();
        try {
            onLoop(() -> {
                driver.close();
                return null;
            });
        } catch (IllegalStateException e) {
            // The event loop is gone already (its resources were closed): nothing runs there any more.
        }
        transport.close();
        meters.close();
        log.info("{} closed", self());
    }

    /** Runs {@code task} on the event loop, after what is queued there; the caller does not wait. */
    private void onLoopLater(Runnable task) {
        try {
            transport.executor().execute(task);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the node's event loop is shut down", e);
        }
    }

    /** Runs {@code query} on the event loop and waits for it; directly when already there. */
    private <T> T onLoop(Supplier<T> query) {
        if (Thread.currentThread() == loopThread) {
            return query.get();
        }
        try {
            return CompletableFuture.supplyAsync(query, transport.executor()).get(QUERY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the node's event loop is shut down", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("the node's event loop did not answer within " + QUERY_TIMEOUT_SECONDS + " s");
        }
    }

    @Override
    public String toString() {
        return "HyphaeNode[" + self() + "]";
    }
}

package io.hyphae.strategy.gossip;

import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.Incarnations;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.ConfigSection;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoveryStrategies;
import io.hyphae.membership.discovery.DiscoveryStrategy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;

/** One gossiping node for tests: the strategy found by name, its meters, and the seeds it last reported. */
final class GossipTestNode implements AutoCloseable {

    static final String CLUSTER = "test-cluster";
    static final ClusterSecret SECRET = ClusterSecret.of("a-test-secret-of-enough-bytes");

    final NodeId id;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final AtomicReference<Set<HostAndPort>> seeds = new AtomicReference<>();
    /** Every seed set reported, in order, so a test can see one that did not last. */
    final List<Set<HostAndPort>> history = new CopyOnWriteArrayList<>();
    private final DiscoveryStrategy strategy;

    GossipTestNode(NodeId id, String cluster, Optional<ClusterSecret> secret, Map<String, ?> config, ScheduledExecutorService scheduler) {
        this.id = id;
        Map<String, Object> block = new LinkedHashMap<>(config);
        block.put("strategy", "gossip");
        DiscoveryContext context = new DiscoveryContext(cluster, id, secret, meters, scheduler);
        this.strategy = DiscoveryStrategies.create(ConfigSection.of(block), context, getClass().getClassLoader());
    }

    /** A node named {@code name} advertising 127.0.0.1:{@code transportPort} in the test cluster, with the test secret. */
    static GossipTestNode onLoopback(String name, int transportPort, Map<String, ?> config, ScheduledExecutorService scheduler) {
        NodeId id = new NodeId(name, new HostAndPort("127.0.0.1", transportPort), Incarnations.next());
        return new GossipTestNode(id, CLUSTER, Optional.of(SECRET), config, scheduler);
    }

    GossipTestNode start() {
        strategy.start(s -> {
            history.add(s);
            seeds.set(s);
        });
        return this;
    }

    Set<HostAndPort> seeds() {
        Set<HostAndPort> s = seeds.get();
        return s == null ? Set.of() : s;
    }

    double rejected(String reason) {
        // get(), not counter(): a lookup by the wrong id fails instead of creating a counter at 0
        return meters.get("hyphae.gossip.packets.rejected").tags("reason", reason, "node", id.name()).counter().count();
    }

    double accepted() {
        return meters.get("hyphae.gossip.packets.accepted").tags("node", id.name()).counter().count();
    }

    @Override
    public void close() {
        strategy.close();
    }
}

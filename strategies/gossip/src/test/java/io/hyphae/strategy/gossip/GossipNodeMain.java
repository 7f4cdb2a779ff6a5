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
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Collectors;

/**
 * One gossiping node as its own process, for tests that run nodes in separate network
 * namespaces. Arguments: node name, advertised host, gossip port, multicast group; the secret comes from
 * HYPHAE_SECRET so it is not on the command line. Prints {@code SEEDS a:1,b:2} on every change,
 * and leaves (saying goodbye) when its standard input closes.
 */
public final class GossipNodeMain {

    private GossipNodeMain() {
    }

    public static void main(String[] args) throws IOException {
        NodeId self = new NodeId(args[0], new HostAndPort(args[1], 7000), Incarnations.next());
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        DiscoveryContext context = new DiscoveryContext("ns-cluster", self, Optional.of(ClusterSecret.of(System.getenv("HYPHAE_SECRET"))),
                new SimpleMeterRegistry(), scheduler);
        ConfigSection config = ConfigSection.of(Map.of("strategy", "gossip", "port", Integer.parseInt(args[2]),
                "group", args[3], "interval", "200ms", "expiry", "1s"));
        DiscoveryStrategy strategy = DiscoveryStrategies.create(config, context, GossipNodeMain.class.getClassLoader());
        strategy.start(seeds -> {
            String line = seeds.stream().map(HostAndPort::toString).sorted().collect(Collectors.joining(","));
            System.out.println("SEEDS " + line);
            System.out.flush();
        });
        while (System.in.read() >= 0) {
            // wait for the test to close our standard input
        }
        strategy.close();
        scheduler.shutdownNow();
        System.out.println("LEFT");
        System.out.flush();
    }
}

package io.hyphae.membership.discovery;

import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.NodeId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What a strategy may use from its node: the cluster it belongs to, its own identity (so it can
 * leave itself out of the seeds and announce itself), the secret (gossip signs packets with it;
 * empty only in insecure development mode), the meter registry, and a scheduler for polls and
 * retries that the node owns and shuts down.
 *
 * <p>{@code self} is the node as it started. Its incarnation changes if the cluster declares it
 * down by mistake and it rejoins in place (see {@code HyphaeNode.self()}), but its name and
 * address never do, and they are all discovery needs: seeds are addresses, and a strategy
 * leaves itself out by address. The gossip strategy announces the first incarnation for the
 * node's whole run, which only orders its heartbeats against a restart's (always newer).
 */
public record DiscoveryContext(
        String clusterName,
        NodeId self,
        Optional<ClusterSecret> secret,
        MeterRegistry meters,
        ScheduledExecutorService scheduler) {

    public DiscoveryContext {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(self, "self");
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(meters, "meters");
        Objects.requireNonNull(scheduler, "scheduler");
    }

    /**
     * Tags every meter a strategy registers carries: {@code node=<name>}, as the node's other
     * meters do, so nodes sharing one registry (many nodes in one JVM) keep their meters apart.
     */
    public Tags meterTags() {
        return Tags.of("node", self.name());
    }
}

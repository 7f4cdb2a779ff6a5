package io.hyphae.strategy.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.HyphaeNode;
import io.hyphae.membership.directory.DownReason;
import io.hyphae.membership.testkit.LocalCluster;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Five real nodes on 127.0.0.2..6 (one port) discovering each other through an A name served
 * by a real dnsmasq: the cluster forms, follows a node added to and removed from DNS, and keeps
 * running while dnsmasq is down.
 */
class DnsClusterTest {

    private static final Duration LIMIT = Duration.ofSeconds(15);
    private static final String NODES = "nodes." + Dnsmasq.DOMAIN;

    @TempDir
    Path dir;

    private LocalCluster cluster;
    private Dnsmasq dns;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void fiveNodesFoundInDnsFormAClusterFollowDnsAndOutliveTheDnsServer() throws IOException {
        // Given dnsmasq answering the name with the addresses of five nodes, polled every 200 ms
        dns = new Dnsmasq(dir, "127.0.0.1");
        dns.hosts(records(5));
        dns.start();
        int port = LocalCluster.freePort("127.0.0.2");
        cluster = new LocalCluster("dns-cluster");

        // When the five start
        for (int i = 0; i < 5; i++) {
            startNode(i, port);
        }

        // Then every directory lists all five (the time from the first start is logged)
        cluster.awaitComplete(LIMIT);

        // When a sixth node is added to DNS and starts
        dns.hosts(records(6));
        HyphaeNode added = startNode(5, port);

        // Then it joins: every directory lists all six
        cluster.awaitComplete(LIMIT);
        assertThat(cluster.running()).allSatisfy(n -> assertThat(n.liveMembers()).contains(added.self()).hasSize(6));

        // When it is removed from DNS and stopped
        dns.hosts(records(5));
        cluster.stop(added);

        // Then every other node reports it down, and the five remain
        cluster.awaitDown(added.self(), DownReason.LEFT, LIMIT);
        cluster.awaitComplete(LIMIT);

        // When the DNS server stops answering for several polls
        HyphaeNode first = cluster.running().get(0);
        double failures = failures(first);
        dns.stop();
        await().atMost(LIMIT).until(() -> failures(first) >= failures + 3);

        // Then the five keep each other, nobody else is reported down, and they still broadcast
        assertThat(cluster.running()).allSatisfy(n -> {
            assertThat(n.liveMembers()).hasSize(5);
            assertThat(cluster.events(n)).filteredOn(e -> e.startsWith("down")).containsOnly("down " + added.self() + " LEFT");
        });
        cluster.awaitBroadcastReachesEveryone(LIMIT);
    }

    private HyphaeNode startNode(int index, int port) {
        return cluster.start("d" + index, ip(index) + ":" + port, b -> b.discovery("dns", d -> d
                .set("name", NODES).set("port", port).set("resolver", dns.address())
                .set("poll-interval", "200ms").set("timeout", "200ms")));
    }

    private double failures(HyphaeNode node) {
        return cluster.registry(node).get("hyphae.discovery.failures").tag("strategy", "dns").counter().count();
    }

    /** One A record of the name per node, for the first {@code count} nodes. */
    private static String[] records(int count) {
        return IntStream.range(0, count).mapToObj(i -> ip(i) + " " + NODES).toArray(String[]::new);
    }

    /** 127.0.0.2 for the first node, 127.0.0.3 for the second, ... */
    private static String ip(int index) {
        return "127.0.0." + (index + 2);
    }
}

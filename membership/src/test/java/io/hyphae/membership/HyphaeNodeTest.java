package io.hyphae.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.config.HyphaeConfigBuilder;
import io.hyphae.membership.directory.DownReason;
import io.hyphae.membership.directory.Member;
import io.hyphae.membership.directory.MemberStatus;
import io.hyphae.membership.plumtree.Channels;
import io.hyphae.membership.transport.Chat;
import io.hyphae.membership.transport.TransportResources;
import io.hyphae.testkit.FreePorts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Five real nodes on 127.0.0.1 in one JVM, discovering each other through a static seed list
 * ({@code strategy: fixed}, the membership module's test strategy), with the failure detection
 * tightened so crashes are reported within seconds.
 */
class HyphaeNodeTest {

    private static final Logger log = LoggerFactory.getLogger(HyphaeNodeTest.class);
    private static final int SIZE = 5;
    private static final String SECRET = "hyphae-node-test-secret-0123456789";
    private static final Duration SUSPICION = Duration.ofSeconds(2);
    /** Longer than any test waits for a crash to be reported. */
    private static final Duration LONG_SUSPICION = Duration.ofSeconds(30);

    private static TransportResources resources;
    private final List<HyphaeNode> nodes = new ArrayList<>();
    private final Map<String, Queue<String>> events = new ConcurrentHashMap<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private List<Integer> ports;

    @BeforeAll
    static void eventLoops() {
        resources = TransportResources.create(2);
    }

    @AfterAll
    static void closeEventLoops() {
        resources.close();
    }

    @AfterEach
    void closeNodes() {
        nodes.forEach(HyphaeNode::close);
    }

    @Test
    void fiveNodesWithStaticSeedsFormOneCluster() {
        // Given five nodes whose seed list names all five
        long start = System.nanoTime();
        startCluster(SUSPICION);

        // When they have run a moment
        await().atMost(Duration.ofSeconds(15)).until(() -> nodes.stream().allMatch(n -> allAlive(n, SIZE)));
        log.info("5-node directory complete on every node {} ms after the first start", (System.nanoTime() - start) / 1_000_000);

        // Then every directory lists all five alive, every node joined, and the active views are
        // symmetric and within bounds
        Set<NodeId> everyone = nodes.stream().map(HyphaeNode::self).collect(Collectors.toSet());
        for (HyphaeNode n : nodes) {
            assertThat(n.liveMembers()).isEqualTo(everyone);
            assertThat(n.joined()).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(this::activeViewsAreSymmetric);
        for (HyphaeNode n : nodes) {
            assertThat(n.activeView()).hasSizeBetween(1, n.config().overlay().activeViewSize()).doesNotContain(n.self());
        }
        // and the meters of each node, tagged by its name, say the same
        HyphaeNode first = nodes.get(0);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(registry.get("hyphae.members").tag("node", first.self().name()).tag("status", "alive").gauge().value())
                    .isEqualTo(SIZE);
            assertThat(registry.get("hyphae.overlay.active").tag("node", first.self().name()).gauge().value())
                    .isEqualTo(first.activeView().size());
        });
        assertThat(registry.get("hyphae.members.events").tag("node", first.self().name()).tag("event", "up").counter().count())
                .isEqualTo(SIZE);
    }

    @Test
    void aBroadcastReachesEveryNodeExactlyOnce() {
        // Given a formed cluster where every node subscribes to one application channel
        startCluster(SUSPICION);
        awaitFormed();
        int channel = Channels.FIRST_APPLICATION_CHANNEL;
        Map<String, Queue<String>> received = new ConcurrentHashMap<>();
        for (HyphaeNode n : nodes) {
            Queue<String> q = new ConcurrentLinkedQueue<>();
            received.put(n.self().name(), q);
            n.subscribe(channel, (origin, payload) -> q.add(origin.name() + ":" + new String(payload, StandardCharsets.UTF_8)));
        }
        // (subscriptions are registered on each node's event loop; a query there waits for them)
        nodes.forEach(HyphaeNode::activeView);

        // When two nodes broadcast ten messages each
        for (int i = 0; i < 10; i++) {
            nodes.get(0).broadcast(channel, ("a" + i).getBytes(StandardCharsets.UTF_8));
            nodes.get(3).broadcast(channel, ("b" + i).getBytes(StandardCharsets.UTF_8));
        }

        // Then every node, the senders included, gets each of the twenty exactly once
        await().atMost(Duration.ofSeconds(10)).until(() -> received.values().stream().allMatch(q -> q.size() >= 20));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> received.values().stream().allMatch(q -> q.size() == 20));
        for (Queue<String> q : received.values()) {
            assertThat(q).doesNotHaveDuplicates().hasSize(20)
                    .contains(nodes.get(0).self().name() + ":a9", nodes.get(3).self().name() + ":b0");
        }
    }

    @Test
    void aNodeThatLeavesIsReportedLeftLongBeforeTheSuspicionTimeout() {
        // Given a formed cluster whose suspicion timeout is long
        Duration suspicion = Duration.ofSeconds(20);
        startCluster(suspicion);
        awaitFormed();
        HyphaeNode leaver = nodes.get(2);

        // When one node leaves
        long start = System.nanoTime();
        leaver.leave();

        // Then every other node reports it down because it left, within a fraction of the timeout
        List<HyphaeNode> others = nodes.stream().filter(n -> n != leaver).toList();
        await().atMost(Duration.ofSeconds(3)).until(() -> others.stream().allMatch(n ->
                events(n).contains("down " + leaver.self() + " LEFT")));
        log.info("a leave was reported on every other node after {} ms", (System.nanoTime() - start) / 1_000_000);
        for (HyphaeNode n : others) {
            assertThat(n.liveMembers()).doesNotContain(leaver.self()).hasSize(SIZE - 1);
            assertThat(n.members()).anyMatch(m -> m.id().equals(leaver.self()) && m.status() == MemberStatus.LEFT);
        }
    }

    @Test
    void aCrashedNodeIsReportedUnreachableLongBeforeTheSuspicionTimeoutAndComesBackUpWhenRestarted() {
        // Given a formed cluster where one node runs on event loops of its own, and a suspicion
        // timeout far longer than the wait below: only a proof of the crash can report it in time
        TransportResources ownLoops = TransportResources.create(1);
        startCluster(LONG_SUSPICION, Map.of(SIZE - 1, ownLoops));
        awaitFormed();
        HyphaeNode crashing = nodes.get(SIZE - 1);
        List<HyphaeNode> others = List.copyOf(nodes.subList(0, SIZE - 1));
        others.forEach(n -> events.get(n.self().name()).clear());

        // When its process dies: its event loops stop and its sockets close, with no goodbye
        long start = System.nanoTime();
        ownLoops.close();

        // Then every other node reports it down as unreachable: its neighbours' redials are
        // refused (nothing listens at its address), which proves that incarnation gone; nobody
        // else is reported down
        await().atMost(LONG_SUSPICION.dividedBy(3)).until(() -> others.stream().allMatch(n ->
                events(n).contains("down " + crashing.self() + " UNREACHABLE")));
        log.info("a crash was reported on every other node after {} ms (suspicion timeout {})",
                (System.nanoTime() - start) / 1_000_000, LONG_SUSPICION);
        for (HyphaeNode n : others) {
            assertThat(events(n)).containsExactly("down " + crashing.self() + " UNREACHABLE");
            assertThat(n.liveMembers()).hasSize(SIZE - 1).doesNotContain(crashing.self());
        }

        // When it restarts at the same address, as a new incarnation (what is left of the dead
        // process in this JVM, its meters, goes first)
        crashing.close();
        // The port came from the ephemeral range, so on a busy machine an unrelated outbound
        // connection can hold it for a moment after the crash; an operator would retry too.
        AtomicReference<HyphaeNode> started = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptionsMatching(e -> e.getMessage() != null
                && e.getMessage().contains("Address already in use"))
                .until(() -> started.compareAndSet(null, startNode(SIZE - 1, LONG_SUSPICION, resources)));
        HyphaeNode restarted = started.get();
        nodes.add(restarted);

        // Then every node, the restarted one included, lists the new incarnation up
        assertThat(restarted.self().sameNodeAs(crashing.self())).isTrue();
        assertThat(restarted.self()).isNotEqualTo(crashing.self());
        List<HyphaeNode> running = new ArrayList<>(others);
        running.add(restarted);
        await().atMost(Duration.ofSeconds(10)).until(() -> running.stream().allMatch(n -> allAlive(n, SIZE)));
        for (HyphaeNode n : others) {
            assertThat(n.liveMembers()).contains(restarted.self()).doesNotContain(crashing.self());
            assertThat(events(n)).contains("up " + restarted.self());
        }
    }

    @Test
    void aNodeStartedBeforeItsSeedJoinsOnceTheSeedIsUp() {
        // Given a node whose only seed is not running yet, and has failed to answer
        ports = FreePorts.tcp(2);
        HyphaeNode early = startNode("early", ports.get(0), SUSPICION, resources,
                b -> b.discovery("fixed", d -> d.set("seeds", List.of("127.0.0.1:" + ports.get(1)))));
        nodes.add(early);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                registry.get("hyphae.overlay.seed.failures").tag("node", "early").counter().count() >= 1);
        assertThat(early.joined()).isFalse();

        // When the seed starts, knowing no seeds itself
        HyphaeNode seed = startNode("seed", ports.get(1), SUSPICION, resources, b -> b);
        nodes.add(seed);

        // Then the early node joins through it on a later attempt
        await().atMost(Duration.ofSeconds(10)).until(() -> allAlive(early, 2) && allAlive(seed, 2));
        assertThat(early.activeView()).containsExactly(seed.self());
    }

    @Test
    void twoIslandsMergeWhenDiscoveryStartsReportingTheOther() {
        // Given two separate two-node clusters, each discovering only its own nodes
        ports = FreePorts.tcp(4);
        Set<HostAndPort> east = Set.of(local(ports.get(0)), local(ports.get(1)));
        Set<HostAndPort> west = Set.of(local(ports.get(2)), local(ports.get(3)));
        SettableSeedsProvider.set("east", east);
        SettableSeedsProvider.set("west", west);
        for (int i = 0; i < 4; i++) {
            String topic = i < 2 ? "east" : "west";
            nodes.add(startNode("i" + i, ports.get(i), SUSPICION, resources,
                    b -> b.discovery("settable", d -> d.set("topic", topic))));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> nodes.stream().allMatch(n -> allAlive(n, 2)));

        // When the east's discovery starts reporting one western node too (the partition healed)
        Set<HostAndPort> healed = new java.util.HashSet<>(east);
        healed.add(local(ports.get(2)));
        SettableSeedsProvider.set("east", healed);

        // Then the islands merge: every directory lists all four, and nobody was reported down
        await().atMost(Duration.ofSeconds(15)).until(() -> nodes.stream().allMatch(n -> allAlive(n, 4)));
        for (HyphaeNode n : nodes) {
            assertThat(events(n)).noneMatch(e -> e.startsWith("down"));
        }
    }

    @Test
    void aFrozenNodeIsReportedUnreachableAfterTheHeartbeatTimeoutAndTheSuspicionAndRejoinsWhenItThaws() throws Exception {
        // Given a formed cluster where one node runs on an event loop of its own
        TransportResources ownLoop = TransportResources.create(1);
        java.util.concurrent.CountDownLatch thaw = new java.util.concurrent.CountDownLatch(1);
        try {
            startCluster(SUSPICION, Map.of(0, ownLoop));
            awaitFormed();
            HyphaeNode frozen = nodes.get(0);
            NodeId before = frozen.self();
            List<HyphaeNode> others = List.copyOf(nodes.subList(1, SIZE));
            others.forEach(n -> events.get(n.self().name()).clear());

            // When its process freezes (a long GC pause, SIGSTOP): its sockets stay open but it
            // neither reads, writes nor sends heartbeats
            long start = System.nanoTime();
            frozen.transport().executor().execute(() -> {
                try {
                    thaw.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });

            // Then the others close their links after the heartbeat timeout (1 s), suspect it, and
            // report it unreachable once the suspicion stood (2 s), not earlier: their redials
            // connect (its kernel still listens) and only time out, which proves nothing. Nobody
            // else goes down
            await().atMost(Duration.ofSeconds(10)).until(() -> others.stream().allMatch(n ->
                    events(n).contains("down " + before + " UNREACHABLE")));
            long millis = (System.nanoTime() - start) / 1_000_000;
            log.info("a frozen node was reported on every other node after {} ms", millis);
            // (the silence is counted from its last heartbeat, up to one interval, 200 ms, before it froze)
            assertThat(millis).isGreaterThanOrEqualTo(Duration.ofMillis(1000 - 200).plus(SUSPICION).toMillis());
            for (HyphaeNode n : others) {
                assertThat(events(n)).containsExactly("down " + before + " UNREACHABLE");
            }

            // When it thaws, it learns the verdict (final for that incarnation) and rejoins as its
            // next incarnation, without a restart
            thaw.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> events(frozen).contains("down " + before + " UNREACHABLE"));
            await().atMost(Duration.ofSeconds(15)).until(() -> nodes.stream().allMatch(n -> allAlive(n, SIZE)
                    && n.liveMembers().contains(frozen.self())));

            // Then every node lists the new incarnation up, once, and never the old one again
            NodeId after = frozen.self();
            assertThat(after.sameNodeAs(before)).isTrue();
            assertThat(after.incarnation()).isGreaterThan(before.incarnation());
            for (HyphaeNode n : others) {
                assertThat(events(n)).containsExactly("down " + before + " UNREACHABLE", "up " + after);
            }
            assertThat(events(frozen)).containsOnlyOnce("up " + after, "down " + before + " UNREACHABLE")
                    .doesNotHaveDuplicates();
        } finally {
            thaw.countDown();
            nodes.forEach(HyphaeNode::close);
            nodes.clear();
            ownLoop.close();
        }
    }

    @Test
    void aDirectMessageReachesExactlyTheIncarnationItNames() {
        // Given two nodes that know each other, both speaking a small test protocol
        ports = FreePorts.tcp(3);
        Queue<String> atB = new ConcurrentLinkedQueue<>();
        HyphaeNode a = startNode("a", ports.get(0), SUSPICION, resources, b -> b,
                n -> n.transport().register(Chat.Codec.INSTANCE, (from, m) -> { }));
        HyphaeNode b = startNode("b", ports.get(1), SUSPICION, resources,
                c -> c.discovery("fixed", d -> d.set("seeds", List.of("127.0.0.1:" + ports.get(0)))),
                n -> n.transport().register(Chat.Codec.INSTANCE, (from, m) -> atB.add(from.name() + ":" + ((Chat.Text) m).text())));
        nodes.add(a);
        nodes.add(b);

        // When a sends to b, to an incarnation of b that is not running, and to an address nobody listens on
        a.send(b.self(), new Chat.Text("hello")).join();
        NodeId staleB = new NodeId(b.self().name(), b.self().address(), b.self().incarnation() - 1);
        var toStale = a.send(staleB, new Chat.Text("stale"));
        var toNobody = a.send(new NodeId("ghost", local(ports.get(2)), 1), new Chat.Text("boo"));
        var toSelf = a.send(a.self(), new Chat.Text("me"));

        // Then only the message to the running incarnation arrives, and the others fail
        await().atMost(Duration.ofSeconds(5)).until(() -> atB.contains("a:hello"));
        await().atMost(Duration.ofSeconds(5)).until(() -> toStale.isDone() && toNobody.isDone());
        assertThat(toStale).isCompletedExceptionally();
        assertThat(toNobody).isCompletedExceptionally();
        assertThat(toSelf).isCompletedExceptionally();
        assertThat(atB).containsExactly("a:hello");
    }

    @Test
    void aNodesMetersLeaveTheRegistryWithItAndMetricsOffRegistersNone() {
        // Given a node with meters, and one with metrics turned off, on separate registries
        ports = FreePorts.tcp(2);
        HyphaeNode measured = startNode("measured", ports.get(0), SUSPICION, resources, b -> b);
        SimpleMeterRegistry untouched = new SimpleMeterRegistry();
        HyphaeNode quiet = HyphaeNode.start(HyphaeConfig.builder()
                .cluster(c -> c.name("node-test").secret(SECRET))
                .node(n -> n.name("quiet").bind("127.0.0.1:" + ports.get(1)))
                .metrics(m -> m.enabled(false))
                .build(), untouched, resources);
        nodes.add(quiet);
        assertThat(registry.find("hyphae.overlay.active").tag("node", "measured").gauge()).isNotNull();

        // When the measured node closes
        measured.close();

        // Then its tagged meters are gone, and the quiet node never registered any
        assertThat(registry.find("hyphae.overlay.active").tag("node", "measured").gauges()).isEmpty();
        assertThat(registry.find("hyphae.members").tag("node", "measured").gauges()).isEmpty();
        assertThat(untouched.getMeters()).isEmpty();
    }

    @Test
    void theDirectorysChannelIsNotOpenToApplications() {
        ports = FreePorts.tcp(1);
        HyphaeNode a = startNode("a", ports.get(0), SUSPICION, resources, b -> b);
        nodes.add(a);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.broadcast(Channels.DIRECTORY, new byte[1]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("reserved for the member directory");
    }

    private static HostAndPort local(int port) {
        return new HostAndPort("127.0.0.1", port);
    }

    // ---- helpers ----

    private void startCluster(Duration suspicion) {
        startCluster(suspicion, Map.of());
    }

    /** Starts the five nodes, those in {@code ownLoops} on the event loops given there. */
    private void startCluster(Duration suspicion, Map<Integer, TransportResources> ownLoops) {
        ports = FreePorts.tcp(SIZE);
        for (int i = 0; i < SIZE; i++) {
            nodes.add(startNode(i, suspicion, ownLoops.getOrDefault(i, resources)));
        }
    }

    private HyphaeNode startNode(int index, Duration suspicion, TransportResources loops) {
        List<String> seeds = ports.stream().map(p -> "127.0.0.1:" + p).toList();
        return startNode("n" + index, ports.get(index), suspicion, loops, b -> b.discovery("fixed", d -> d.set("seeds", seeds)));
    }

    private HyphaeNode startNode(String name, int port, Duration suspicion, TransportResources loops,
                                 UnaryOperator<HyphaeConfigBuilder> discovery) {
        return startNode(name, port, suspicion, loops, discovery, n -> { });
    }

    private HyphaeNode startNode(String name, int port, Duration suspicion, TransportResources loops,
                                 UnaryOperator<HyphaeConfigBuilder> discovery, Consumer<HyphaeNode> beforeJoining) {
        HyphaeConfig config = discovery.apply(HyphaeConfig.builder())
                .cluster(c -> c.name("node-test").secret(SECRET))
                .node(n -> n.name(name).bind("127.0.0.1:" + port))
                .transport(t -> t.heartbeatInterval(Duration.ofMillis(200)).heartbeatTimeout(Duration.ofSeconds(1))
                        .connectTimeout(Duration.ofSeconds(1)).closeTimeout(Duration.ofMillis(500)))
                .overlay(o -> o.shuffleInterval(Duration.ofSeconds(1)).neighborTimeout(Duration.ofMillis(500)))
                .directory(d -> d.suspicionTimeout(suspicion).antiEntropyInterval(Duration.ofMillis(500))
                        .tombstoneRetention(Duration.ofMinutes(5)))
                .build();
        HyphaeNode node = HyphaeNode.start(config, registry, loops, beforeJoining);
        Queue<String> q = events.computeIfAbsent(node.self().name(), k -> new ConcurrentLinkedQueue<>());
        node.addListener(new MembershipListener() {
            @Override
            public void memberUp(NodeId member) {
                q.add("up " + member);
            }

            @Override
            public void memberDown(NodeId member, DownReason reason) {
                q.add("down " + member + " " + reason);
            }
        });
        return node;
    }

    private void awaitFormed() {
        await().atMost(Duration.ofSeconds(15)).until(() -> nodes.stream().allMatch(n -> allAlive(n, SIZE)));
    }

    private List<String> events(HyphaeNode n) {
        return List.copyOf(events.get(n.self().name()));
    }

    private static boolean allAlive(HyphaeNode n, int size) {
        Set<Member> members = n.members();
        return members.stream().filter(m -> m.status() == MemberStatus.ALIVE).count() == size
                && n.liveMembers().size() == size;
    }

    private void activeViewsAreSymmetric() {
        Map<NodeId, Set<NodeId>> views = nodes.stream().collect(Collectors.toMap(HyphaeNode::self, HyphaeNode::activeView));
        views.forEach((node, view) -> view.forEach(peer ->
                assertThat(views.get(peer)).as("%s is in the active view of %s", peer, node).contains(node)));
    }
}

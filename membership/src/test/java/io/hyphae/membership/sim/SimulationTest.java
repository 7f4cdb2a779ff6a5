package io.hyphae.membership.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.TimerKey;
import io.hyphae.membership.faults.Fault.Drop;
import io.hyphae.membership.faults.Fault.Partition;
import io.hyphae.membership.faults.FaultSyntax;
import io.hyphae.membership.faults.Links;
import io.hyphae.membership.faults.FaultRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The simulated network's own semantics: order, latency, crashes, partitions, closes, timers, replay. */
class SimulationTest {

    /** Records what reaches it, with the virtual time. */
    static class Recorder implements SimNode {
        final SimContext ctx;
        final List<String> log = new ArrayList<>();
        /** How late each message and timer reached it ({@link SimContext#lagMillis}), in order. */
        final List<Long> lags = new ArrayList<>();

        Recorder(SimContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void onMessage(NodeId from, Object message) {
            lags.add(ctx.lagMillis());
            log.add(ctx.nowMillis() + " msg " + from.name() + " " + message);
        }

        @Override
        public void onLinkUp(NodeId peer) {
            log.add(ctx.nowMillis() + " up " + peer.name());
        }

        @Override
        public void onLinkDown(NodeId peer) {
            log.add(ctx.nowMillis() + " down " + peer.name());
        }

        @Override
        public void onConnectionRefused(NodeId peer) {
            log.add(ctx.nowMillis() + " refused " + peer.name());
        }

        @Override
        public void onTimer(TimerKey timer) {
            lags.add(ctx.lagMillis());
            log.add(ctx.nowMillis() + " timer " + timer);
        }

        List<String> messages() {
            return log.stream().filter(l -> l.contains(" msg ")).map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList();
        }

        boolean saw(String what) {
            return log.stream().anyMatch(l -> l.endsWith(what));
        }
    }

    record Tick(int n) implements TimerKey {
    }

    private static final SimConfig JITTERY = new SimConfig(9, Duration.ofMillis(1), Duration.ofMillis(40), 0.0,
            Duration.ofMillis(300), Duration.ofMillis(200));

    private final Simulation sim = new Simulation(JITTERY);
    private final NodeId a = sim.addNode(Recorder::new);
    private final NodeId b = sim.addNode(Recorder::new);

    private Recorder rec(NodeId id) {
        return sim.node(id, Recorder.class);
    }

    @Test
    void aStalledNodeHandlesWhatReachedItWhenItThawsInOrderAndLate() {
        // Given a link from a to b, and a timer of b's due during the stall
        sim.context(a).send(b, "1");
        sim.runFor(Duration.ofMillis(100));
        sim.context(b).schedule(new Tick(1), Duration.ofMillis(20));

        // When b is starved for 150 ms (less than the 200 ms failure detection) while a sends more
        sim.stall(b, Duration.ofMillis(150));
        sim.context(a).send(b, "2");
        sim.context(a).send(b, "3");
        sim.runFor(Duration.ofSeconds(1));

        // Then the timer and the messages came at once when it thawed, in the order they were
        // due (the earliest waited longest), each as late as it waited; the link held
        List<String> thawed = rec(b).log.subList(2, rec(b).log.size());
        assertThat(thawed).containsExactlyInAnyOrder("250 timer Tick[n=1]", "250 msg n0 2", "250 msg n0 3");
        assertThat(rec(b).messages()).containsExactly("1", "2", "3");
        List<Long> late = rec(b).lags.subList(1, 4);
        assertThat(late).allMatch(lag -> lag > 0 && lag <= 150).isSortedAccordingTo((x, y) -> Long.compare(y, x));
        assertThat(late.get(thawed.indexOf("250 timer Tick[n=1]"))).isEqualTo(130L); // due at 120
        assertThat(rec(b).lags.get(0)).isZero();
        assertThat(rec(b).saw("down n0")).isFalse();
    }

    @Test
    void aStallPastTheFailureDetectionBreaksTheNodesLinksAtBothEnds() {
        sim.context(a).send(b, "1");
        sim.runFor(Duration.ofMillis(100));

        sim.stall(b, Duration.ofSeconds(1));
        sim.runFor(Duration.ofMillis(300));
        assertThat(rec(a).log).contains("300 down n1"); // the failure detection, 200 ms in
        assertThat(rec(b).saw("down n0")).isFalse(); // b is still starved

        sim.runFor(Duration.ofSeconds(1));
        assertThat(rec(b).log).contains("1100 down n0"); // seen when it thawed
    }

    @Test
    void messagesOnALinkArriveInOrderDespiteJitteredLatency() {
        // Given latency drawn between 1 and 40 ms per message
        // When a sends 200 numbered messages at once
        for (int i = 0; i < 200; i++) {
            sim.context(a).send(b, i);
        }
        sim.runFor(Duration.ofSeconds(1));

        // Then b gets each once, in order, and both ends saw the link come up
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            expected.add(Integer.toString(i));
        }
        assertThat(rec(b).messages()).isEqualTo(expected);
        assertThat(rec(a).saw("up n1")).isTrue();
        assertThat(rec(b).saw("up n0")).isTrue();
    }

    @Test
    void aCrashIsSeenByTheOtherEndAfterTheDetectionDelayAndLosesWhatIsInFlight() {
        // Given an open link
        sim.context(a).connect(b);
        sim.runFor(Duration.ofMillis(500));

        // When b crashes with a message on its way to it
        sim.context(a).send(b, "lost");
        sim.crash(b);
        long crashedAt = sim.nowMillis();
        sim.runFor(Duration.ofSeconds(1));

        // Then the message is lost and a sees the link go down 200 ms later
        assertThat(rec(b).messages()).isEmpty();
        assertThat(rec(a).log).contains((crashedAt + 200) + " down n1");
        assertThat(sim.isAlive(b)).isFalse();
    }

    @Test
    void reachingACrashedNodeIsRefusedAfterARoundTrip() {
        // Given b crashed before any link existed
        sim.crash(b);

        // When a sends to it
        sim.context(a).send(b, "hello");
        sim.runFor(Duration.ofSeconds(1));

        // Then a hears the refusal within a round trip (2 x 40 ms at most), long before the connect timeout
        assertThat(rec(a).log).singleElement().satisfies(l -> {
            assertThat(l).endsWith(" refused n1");
            assertThat(Long.parseLong(l.substring(0, l.indexOf(' ')))).isLessThanOrEqualTo(80);
        });
    }

    @Test
    void reachingAPartitionedNodeFailsAfterTheConnectTimeoutWithoutARefusal() {
        // Given b on the other side of a partition
        sim.faults().add(Partition.isolate(Set.of(a.name())));

        // When a sends to it
        sim.context(a).send(b, "hello");
        sim.runFor(Duration.ofSeconds(1));

        // Then a sees the link down after the connect timeout, and no refusal
        assertThat(rec(a).log).containsExactly("300 down n1");
    }

    @Test
    void aPartitionBreaksLinksAcrossItAndHealingLetsNewLinksOpen() {
        // Given an open link
        sim.context(a).connect(b);
        sim.runFor(Duration.ofMillis(500));

        // When a and b end up on different sides
        FaultRule cut = sim.faults().add(Partition.isolate(Set.of(a.name())));
        sim.context(b).send(a, "dropped");
        sim.runFor(Duration.ofSeconds(1));

        // Then both ends see the link down, and nothing crosses
        assertThat(rec(a).saw("down n1")).isTrue();
        assertThat(rec(b).saw("down n0")).isTrue();
        assertThat(rec(a).messages()).isEmpty();

        // And after healing a new link carries messages again
        sim.faults().remove(cut.id());
        sim.context(b).send(a, "after");
        sim.runFor(Duration.ofSeconds(1));
        assertThat(rec(a).messages()).containsExactly("after");
    }

    @Test
    void closingALinkFlushesWhatWasSentThenTheOtherEndSeesItDown() {
        // Given a link with messages in flight from a
        sim.context(a).send(b, "one");
        sim.context(a).send(b, "two");

        // When a closes it at once
        sim.context(a).disconnect(b);
        sim.runFor(Duration.ofSeconds(1));

        // Then b gets both messages, then the link down
        List<String> log = rec(b).log.stream().filter(l -> !l.contains(" up ")).map(l -> l.substring(l.indexOf(' ') + 1)).toList();
        assertThat(log).containsExactly("msg n0 one", "msg n0 two", "down n0");
    }

    @Test
    void aLinkReopenedWhileItsCloseIsInFlightDeliversEverythingInOrder() {
        // Given a closes a link with a message in flight, then at once opens a new one
        sim.context(a).send(b, "before-close");
        sim.context(a).disconnect(b);
        sim.context(a).send(b, "after-reopen");
        sim.runFor(Duration.ofSeconds(1));

        // Then b gets both, in order, and is not told about the old link going down
        assertThat(rec(b).messages()).containsExactly("before-close", "after-reopen");
        assertThat(rec(b).saw("down n0")).isFalse();
    }

    @Test
    void timersFireAfterTheirDelayAndNotOnACrashedNode() {
        // Given two timers on a and one on b
        sim.context(a).schedule(new Tick(1), Duration.ofMillis(250));
        sim.context(a).schedule(new Tick(2), Duration.ofSeconds(20)); // beyond the calendar's near ring
        sim.context(b).schedule(new Tick(3), Duration.ofMillis(250));

        // When b crashes and 30 virtual seconds pass
        sim.crash(b);
        sim.runFor(Duration.ofSeconds(30));

        // Then a's timers fired at their time, b's not at all
        assertThat(rec(a).log).containsExactly("250 timer Tick[n=1]", "20000 timer Tick[n=2]");
        assertThat(rec(b).log).isEmpty();
    }

    @Test
    void lossDropsAShareOfMessagesButKeepsTheLink() {
        // Given a 30% loss rate
        Simulation lossy = new Simulation(SimConfig.lan(5).withLossRate(0.3));
        NodeId x = lossy.addNode(Recorder::new);
        NodeId y = lossy.addNode(Recorder::new);

        // When 1,000 messages are sent
        for (int i = 0; i < 1000; i++) {
            lossy.context(x).send(y, i);
        }
        lossy.runFor(Duration.ofSeconds(1));

        // Then roughly 70% arrive, still in order, and the link never went down
        List<Integer> got = lossy.node(y, Recorder.class).messages().stream().map(Integer::valueOf).toList();
        assertThat(got.size()).isBetween(600, 800);
        assertThat(got).isSorted();
        assertThat(lossy.node(x, Recorder.class).saw("down n1")).isFalse();
    }

    @Test
    void theSameFaultRulesAsTheTransportDuplicateDelayAndReorderMessages() {
        // Given a duplicates what it sends to b, and delays it by 100 ms
        sim.faults().add(FaultSyntax.parse("duplicate 1 from=n0"));
        sim.faults().add(FaultSyntax.parse("delay 100ms from=n0"));

        // When a sends three messages
        for (int i = 0; i < 3; i++) {
            sim.context(a).send(b, i);
        }
        sim.runFor(Duration.ofSeconds(1));

        // Then each arrives twice, in order, and none before the delay
        assertThat(rec(b).messages()).containsExactly("0", "0", "1", "1", "2", "2");
        assertThat(rec(b).log.stream().filter(l -> l.contains(" msg ")).mapToLong(l -> Long.parseLong(l.substring(0, l.indexOf(' ')))))
                .allSatisfy(t -> assertThat(t).isGreaterThanOrEqualTo(100));

        // When the rules are replaced by a reorder that holds every other message back
        sim.faults().clear();
        sim.faults().add(FaultSyntax.parse("reorder 0.5 500ms"));
        rec(b).log.clear();
        for (int i = 0; i < 50; i++) {
            sim.context(a).send(b, i);
        }
        sim.runFor(Duration.ofSeconds(2));

        // Then all fifty arrive, not in the order sent
        List<Integer> got = rec(b).messages().stream().map(Integer::valueOf).toList();
        assertThat(got).containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 50).boxed().toList())
                .isNotEqualTo(java.util.stream.IntStream.range(0, 50).boxed().toList());
    }

    @Test
    void droppingEveryMessageOnALinkTakesItDownLikeAMissedHeartbeat() {
        // Given an open link
        sim.context(a).connect(b);
        sim.runFor(Duration.ofMillis(500));

        // When b's messages to a are all dropped
        FaultRule drop = sim.faults().add(new Drop(Links.from("n1", "n0"), 1));
        sim.context(b).send(a, "lost");
        sim.runFor(Duration.ofSeconds(1));

        // Then both ends see the link go down, and nothing arrived
        assertThat(rec(a).saw("down n1")).isTrue();
        assertThat(rec(b).saw("down n0")).isTrue();
        assertThat(rec(a).messages()).isEmpty();

        // And once the rule is gone, a new link carries messages
        sim.faults().remove(drop.id());
        sim.context(b).send(a, "found");
        sim.runFor(Duration.ofSeconds(1));
        assertThat(rec(a).messages()).containsExactly("found");
    }

    @Test
    void aRuleNamingAnUnknownNodeIsRefusedAndTheLossRateIsRuleOne() {
        assertThatThrownBy(() -> sim.faults().add(Partition.isolate(Set.of("n9"))))
                .hasMessage("unknown node n9 (known: n0, n1)");
        assertThat(new Simulation(SimConfig.lan(1).withLossRate(0.25)).faults().rules())
                .containsExactly(new FaultRule(1, new Drop(Links.ANY, 0.25)));
    }

    @Test
    void aFailingNodeIsReportedWithTheSeedAndTheVirtualTime() {
        // Given a node whose handler throws
        NodeId bad = sim.addNode(ctx -> new Recorder(ctx) {
            @Override
            public void onMessage(NodeId from, Object message) {
                throw new IllegalStateException("boom");
            }
        });
        sim.context(a).send(bad, "x");

        // Then the run stops with the seed that replays it
        assertThatThrownBy(() -> sim.runFor(Duration.ofSeconds(1)))
                .isInstanceOf(SimulationException.class)
                .hasMessageContaining("seed=9").hasMessageContaining("node=n2").hasMessageContaining("boom");
    }

    @Test
    void aRestartedNodeIsANewIncarnationOnTheSameAddress() {
        // When b restarts
        NodeId b2 = sim.restart(b, Recorder::new);

        // Then it is a different identity of the same node, and only the new one is alive
        assertThat(b2.sameNodeAs(b)).isTrue();
        assertThat(b2.incarnation()).isGreaterThan(b.incarnation());
        assertThat(sim.isAlive(b)).isFalse();
        assertThat(sim.isAlive(b2)).isTrue();
        sim.context(a).send(b2, "hi");
        sim.runFor(Duration.ofSeconds(1));
        assertThat(rec(b2).messages()).containsExactly("hi");
    }
}

package io.hyphae.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.faults.HistoryChecker.Margins;
import io.hyphae.faults.HistoryChecker.Violation;
import io.hyphae.faults.HistoryEvent.AbcastDelivered;
import io.hyphae.faults.HistoryEvent.AbcastSent;
import io.hyphae.faults.HistoryEvent.Bad;
import io.hyphae.faults.HistoryEvent.MemberDown;
import io.hyphae.faults.HistoryEvent.Multicall;
import io.hyphae.faults.HistoryEvent.Stall;
import io.hyphae.faults.HistoryEvent.Started;
import io.hyphae.faults.HistoryEvent.Stopped;
import io.hyphae.faults.HistoryEvent.View;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checker on hand-made histories: each rule broken once, so each rule can fail. */
class HistoryCheckerTest {

    private static final String A = "a#1";
    private static final String B = "b#1";
    private static final String C = "c#1";
    private static final Margins MARGINS = new Margins(1_000, 3_000, 500, 1_000);

    /** a, b and c start at 0 and keep recording until 60 s. */
    private static List<HistoryEvent> threeNodesAlive() {
        List<HistoryEvent> h = new ArrayList<>();
        for (String n : List.of(A, B, C)) {
            h.add(new Started(0, n));
            h.add(new View(60_000, n, List.of(A, B, C), List.of()));
        }
        return h;
    }

    private static List<String> rules(List<Violation> violations) {
        return violations.stream().map(Violation::rule).toList();
    }

    /** a sends #1 and #2 to everyone at 10 s and 10.05 s, delivered everywhere in order. */
    private static List<HistoryEvent> cleanCasts() {
        List<HistoryEvent> h = threeNodesAlive();
        for (long seq = 1; seq <= 2; seq++) {
            long t = 10_000 + 50 * seq;
            h.add(new AbcastSent(t, A, seq, List.of(A, B, C)));
            for (String r : List.of(A, B, C)) {
                h.add(new AbcastDelivered(t + 5, r, A, seq));
            }
        }
        h.add(new Multicall(20_800, B, 20_000, 1_000, List.of(A, B, C), List.of(A, B), List.of(new Bad(C, "TIMED_OUT"))));
        return h;
    }

    @Test
    void acceptsAHistoryThatKeepsEveryPromise() {
        assertThat(new HistoryChecker(cleanCasts(), List.of(), MARGINS).check()).isEmpty();
    }

    @Test
    void findsAnAbcastDeliveredTwice() {
        List<HistoryEvent> h = cleanCasts();
        h.add(new AbcastDelivered(10_200, B, A, 2));

        assertThat(rules(new HistoryChecker(h, List.of(), MARGINS).check())).containsExactly(HistoryChecker.DUPLICATE);
    }

    @Test
    void findsAbcastsDeliveredOutOfTheSendersOrder() {
        List<HistoryEvent> h = threeNodesAlive();
        h.add(new AbcastSent(10_000, A, 1, List.of(B)));
        h.add(new AbcastSent(10_050, A, 2, List.of(B)));
        h.add(new AbcastDelivered(10_060, B, A, 2));
        h.add(new AbcastDelivered(10_070, B, A, 1));

        assertThat(rules(new HistoryChecker(h, List.of(), MARGINS).check())).containsExactly(HistoryChecker.REORDERED);
    }

    @Test
    void ordersEachSenderIncarnationOnItsOwn() {
        List<HistoryEvent> h = threeNodesAlive();
        h.add(new AbcastDelivered(10_060, B, A, 5));
        h.add(new AbcastDelivered(10_070, B, "a#2", 1));
        h.add(new AbcastDelivered(10_080, B, C, 1));

        assertThat(new HistoryChecker(h, List.of(), MARGINS).deliveredAtMostOnceInSenderOrder()).isEmpty();
    }

    @Test
    void findsAnOwedAbcastThatNeverArrived() {
        List<HistoryEvent> h = cleanCasts();
        h.removeIf(e -> e instanceof AbcastDelivered d && d.node().equals(C) && d.seq() == 2);

        List<Violation> found = new HistoryChecker(h, List.of(), MARGINS).check();

        assertThat(rules(found)).containsExactly(HistoryChecker.LOST);
        assertThat(found.get(0).detail()).contains("a#1 #2").contains("c#1");
    }

    @Test
    void owesNothingAcrossAFaultOrWithinItsMargins() {
        List<HistoryEvent> h = threeNodesAlive();
        Fault cut = new Fault("link-down", List.of("c"), 20_000, 30_000);
        for (long t : new long[] {19_100, 25_000, 32_900}) {
            h.add(new AbcastSent(t, A, t, List.of(C)));
        }
        HistoryChecker checker = new HistoryChecker(h, List.of(cut), MARGINS);
        assertThat(checker.owedAbcastsDelivered()).isEmpty();
        assertThat(checker.abcastsMissing()).containsExactly(3, 0);

        // but one sent just outside the margins is owed
        h.add(new AbcastSent(18_900, A, 1, List.of(C)));
        h.add(new AbcastSent(33_100, A, 2, List.of(C)));
        assertThat(rules(new HistoryChecker(h, List.of(cut), MARGINS).owedAbcastsDelivered()))
                .containsExactly(HistoryChecker.LOST, HistoryChecker.LOST);
    }

    @Test
    void owesNothingToOrFromANodeThatStopsRightAfterTheSend() {
        List<HistoryEvent> h = new ArrayList<>();
        h.add(new Started(0, A));
        h.add(new Started(0, B));
        h.add(new View(60_000, A, List.of(A, B), List.of()));
        h.add(new Stopped(10_500, B, "left"));
        h.add(new AbcastSent(10_000, A, 1, List.of(B)));

        assertThat(new HistoryChecker(h, List.of(), MARGINS).owedAbcastsDelivered()).isEmpty();
        // a fault on someone else does not excuse the pair
        h.add(new View(12_000, B, List.of(A, B), List.of()));
        assertThat(rules(new HistoryChecker(h, List.of(new Fault("sigstop", List.of("c"), 9_000, 11_000)), MARGINS).owedAbcastsDelivered()))
                .containsExactly(HistoryChecker.LOST);
    }

    @Test
    void findsAMulticallThatOutlivedItsTimeout() {
        List<HistoryEvent> h = threeNodesAlive();
        h.add(new Multicall(21_501, A, 20_000, 1_000, List.of(B), List.of(), List.of(new Bad(B, "TIMED_OUT"))));
        h.add(new Multicall(31_500, A, 30_000, 1_000, List.of(B), List.of(), List.of(new Bad(B, "TIMED_OUT"))));

        List<Violation> found = new HistoryChecker(h, List.of(), MARGINS).check();

        assertThat(rules(found)).containsExactly(HistoryChecker.LATE);
        assertThat(found.get(0).detail()).contains("took 1501 ms");
    }

    @Test
    void allowsAMulticallToOverrunByAsLongAsItsCallerStalled() {
        List<HistoryEvent> h = threeNodesAlive();
        h.add(new Multicall(22_000, A, 20_000, 1_000, List.of(B), List.of(), List.of(new Bad(B, "TIMED_OUT"))));
        h.add(new Stall(21_000, A, 400));
        HistoryChecker shortStall = new HistoryChecker(List.copyOf(h), List.of(), MARGINS);
        h.add(new Stall(21_900, B, 5_000)); // someone else's stall excuses nothing
        h.add(new Stall(21_800, A, 200));

        assertThat(rules(shortStall.check())).containsExactly(HistoryChecker.LATE);
        assertThat(new HistoryChecker(h, List.of(), MARGINS).multicallsAnsweredInTimeNamingEveryTarget()).isEmpty();
    }

    @Test
    void treatsALongStallAsAFaultOfItsNodeButNotAShortOne() {
        List<HistoryEvent> h = threeNodesAlive();
        h.add(new AbcastSent(20_000, A, 1, List.of(B)));
        h.add(new Stall(20_500, B, 900));
        assertThat(rules(new HistoryChecker(List.copyOf(h), List.of(), MARGINS).owedAbcastsDelivered()))
                .containsExactly(HistoryChecker.LOST);

        h.add(new Stall(22_000, B, 1_200));
        HistoryChecker checker = new HistoryChecker(h, List.of(), MARGINS);
        assertThat(checker.owedAbcastsDelivered()).isEmpty();
        assertThat(checker.faults()).containsExactly(new Fault("stall", List.of("b"), 20_800, 22_000));
        assertThat(checker.longestStallMs()).isEqualTo(1_200);
    }

    @Test
    void findsAMulticallThatLeftATargetUnnamedOrNamedOneTwice() {
        List<HistoryEvent> h = threeNodesAlive();
        h.add(new Multicall(20_100, A, 20_000, 1_000, List.of(A, B, C), List.of(A, B), List.of()));
        h.add(new Multicall(20_200, A, 20_100, 1_000, List.of(A, B), List.of(A, B), List.of(new Bad(B, "TIMED_OUT"))));
        h.add(new Multicall(20_300, A, 20_200, 1_000, List.of(A), List.of(A), List.of(new Bad(C, "UNREACHABLE"))));

        assertThat(rules(new HistoryChecker(h, List.of(), MARGINS).check()))
                .containsExactly(HistoryChecker.UNNAMED, HistoryChecker.UNNAMED, HistoryChecker.UNNAMED);
    }

    @Test
    void owesNothingToAnIncarnationThatHeardItselfDeclaredDownRightAfter() {
        List<HistoryEvent> h = threeNodesAlive();
        h.add(new AbcastSent(10_000, A, 1, List.of(B, C)));
        h.add(new MemberDown(10_900, C, C, "UNREACHABLE")); // c rejoins as its next incarnation here
        h.add(new MemberDown(11_100, B, B, "UNREACHABLE")); // b only after t + beforeFault: still owed

        assertThat(new HistoryChecker(h, List.of(), MARGINS).owedAbcastsDelivered())
                .containsExactly(new Violation(HistoryChecker.LOST, A + " #1 sent at 10000 never reached " + B));
    }

    @Test
    void findsAHealthyNodeDeclaredDownButNotACutOffOrStalledOne() {
        List<HistoryEvent> h = threeNodesAlive();
        Fault cut = new Fault("link-down", List.of("c"), 10_000, 20_000);
        h.add(new Stopped(20_500, C, HistoryChecker.DECLARED_DOWN));      // the cut node: expected
        h.add(new Stall(30_000, B, 6_000));
        h.add(new Stopped(30_100, B, HistoryChecker.DECLARED_DOWN));      // stalled 6 s: a frozen node
        h.add(new Stopped(21_000, A, HistoryChecker.DECLARED_DOWN));      // healthy: the violation

        assertThat(new HistoryChecker(h, List.of(cut), MARGINS).check())
                .containsExactly(new Violation(HistoryChecker.FALSE_DOWN, A + " was declared down and rejoined at 21000"));
    }

    @Test
    void convergesWhenEveryCurrentIncarnationAgreesAndTheActiveViewsAreConnected() {
        List<HistoryEvent> h = new ArrayList<>();
        h.add(new Started(0, A));
        h.add(new Started(0, B));
        h.add(new Started(0, C));
        h.add(new Stopped(5_000, C, HistoryChecker.DECLARED_DOWN));
        h.add(new Started(5_001, "c#2"));
        List<String> all = List.of(A, B, "c#2");
        h.add(new View(6_000, A, List.of(A, B, C), List.of(B)));    // still lists the old c
        h.add(new View(6_000, B, all, List.of(A)));
        h.add(new View(6_000, "c#2", all, List.of()));               // c#2 not linked to anyone
        h.add(new View(7_000, A, all, List.of(B)));
        h.add(new View(8_000, "c#2", all, List.of(B)));

        HistoryChecker checker = new HistoryChecker(h, List.of(), MARGINS);

        assertThat(checker.convergedAt(5_500, Set.of("a", "b", "c"))).hasValue(8_000);
        assertThat(checker.convergedAt(8_500, Set.of("a", "b", "c"))).isEmpty();
        assertThat(checker.convergedAt(0, Set.of("a", "b", "c", "d"))).isEmpty();
    }

    @Test
    void measuresDetectionAsTheLastOfTheOthersToReportTheSideDown() {
        List<HistoryEvent> h = threeNodesAlive();
        Fault cut = new Fault("link-down", List.of("c"), 10_000, 20_000);
        h.add(new MemberDown(9_000, B, C, "UNREACHABLE")); // before the fault: not this fault's detection
        h.add(new MemberDown(15_000, A, C, "UNREACHABLE"));
        h.add(new MemberDown(15_100, C, A, "UNREACHABLE")); // the side's own view is not measured
        HistoryChecker halfDetected = new HistoryChecker(List.copyOf(h), List.of(cut), MARGINS);
        h.add(new MemberDown(15_400, B, C, "UNREACHABLE"));

        assertThat(halfDetected.detectedAfterMs(cut)).isEmpty();
        assertThat(new HistoryChecker(h, List.of(cut), MARGINS).detectedAfterMs(cut)).hasValue(5_400);
    }

    @Test
    void readsHistoryFilesSkippingOnlyALastLineCutShort(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("n1-1.jsonl");
        try (HistoryFile history = new HistoryFile(file)) {
            history.record(new Started(1, A));
            history.record(new AbcastSent(2, A, 1, List.of(A)));
        }
        Files.writeString(file, "{\"type\":\"delivered\",\"t\":3,\"no", java.nio.file.StandardOpenOption.APPEND);

        assertThat(HistoryFile.read(List.of(file), HistoryEvent.class))
                .containsExactly(new Started(1, A), new AbcastSent(2, A, 1, List.of(A)));
    }
}

package io.hyphae.membership.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyphae.membership.faults.Fault.Delay;
import io.hyphae.membership.faults.Fault.Drop;
import io.hyphae.membership.faults.Fault.Duplicate;
import io.hyphae.membership.faults.Fault.Partition;
import io.hyphae.membership.faults.Fault.Reorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FaultRulesTest {

    @Test
    void aPartitionCutsBothWaysBetweenItsSidesAndNothingWithinThem() {
        FaultInjector faults = new FaultInjector("t", 1);
        faults.add(FaultSyntax.parse("partition a,b c,d,e"));
        FaultRules rules = faults.current();

        assertThat(rules.cuts("a", "c")).isTrue();
        assertThat(rules.cuts("e", "b")).isTrue();
        assertThat(rules.cuts("a", "b")).isFalse();
        assertThat(rules.cuts("c", "d")).isFalse();
        assertThat(rules.cuts("a", "x")).as("x is on neither side").isFalse();
        assertThat(rules.judge("d", "a", 1, new java.util.SplittableRandom(1))).isEqualTo(Verdict.DROP);
    }

    @Test
    void aOneWayCutDropsOneDirectionButBlocksNewLinksBothWays() {
        FaultRules rules = rules(new Partition(Set.of("a"), Set.of("b"), true));

        assertThat(rules.cuts("a", "b")).isTrue();
        assertThat(rules.cuts("b", "a")).isFalse();
        assertThat(rules.blocksLink("b", "a")).as("a connection needs both directions").isTrue();
    }

    @Test
    void isolatingASideCutsItFromEveryoneElse() {
        FaultRules rules = rules(Partition.isolate(Set.of("c")));

        assertThat(rules.cuts("c", "a")).isTrue();
        assertThat(rules.cuts("zz", "c")).isTrue();
        assertThat(rules.cuts("a", "b")).isFalse();
    }

    @Test
    void linkFaultsSelectBySenderReceiverDirectionAndProtocol() {
        Links aToB = Links.from("a", "b").protocol(2);

        assertThat(aToB.matches("a", "b", 2)).isTrue();
        assertThat(aToB.matches("a", "b", 1)).isFalse();
        assertThat(aToB.matches("b", "a", 2)).isFalse();
        assertThat(Links.between("a", "b").matches("b", "a", 7)).isTrue();
        assertThat(Links.of("a").matches("q", "a", 0)).isTrue();
        assertThat(Links.ANY.matches("x", "y", -1)).isTrue();
    }

    @Test
    void onlyAWholeDropOfEveryProtocolBlackholesALink() {
        assertThat(rules(new Drop(Links.from("a", "b"), 1)).blackholes("a", "b")).isTrue();
        assertThat(rules(new Drop(Links.from("a", "b"), 1)).blackholes("b", "a")).isFalse();
        assertThat(rules(new Drop(Links.from("a", "b"), 0.99)).blackholes("a", "b")).isFalse();
        assertThat(rules(new Drop(Links.from("a", "b").protocol(2), 1)).blackholes("a", "b")).isFalse();
    }

    @Test
    void verdictsCombineEveryApplyingRule() {
        FaultRules rules = rules(new Duplicate(Links.ANY, 1), new Delay(Links.ANY, Duration.ofMillis(5), Duration.ofMillis(5)),
                new Reorder(Links.from("a", "b"), 1, Duration.ofMillis(100)));

        Verdict v = rules.judge("a", "b", 1, new java.util.SplittableRandom(3));

        assertThat(v).isEqualTo(new Verdict(false, 2, true, 5_000_000, 100_000_000));
        assertThat(rules.judge("b", "a", 1, new java.util.SplittableRandom(3))).isEqualTo(new Verdict(false, 2, true, 5_000_000, 0));
    }

    @Test
    void theSameSeedGivesTheSameVerdicts() {
        FaultInjector one = new FaultInjector("one", 42);
        FaultInjector two = new FaultInjector("two", 7);
        for (FaultInjector f : List.of(one, two)) {
            f.add(new Drop(Links.ANY, 0.5));
            f.add(new Delay(Links.ANY, Duration.ZERO, Duration.ofMillis(10)));
        }
        two.seed(42);

        assertThat(verdicts(one, 200)).isEqualTo(verdicts(two, 200)).contains(Verdict.DROP).anyMatch(v -> !v.dropped());
    }

    @Test
    void rulesAreAddedListedRemovedAndClearedByNumber() {
        FaultInjector faults = new FaultInjector("t", 1);
        List<String> changes = new ArrayList<>();
        faults.onChange(() -> changes.add(faults.rules().toString()));

        FaultRule first = faults.add(new Drop(Links.ANY, 0.1));
        FaultRule second = faults.add(Partition.isolate(Set.of("a")));

        assertThat(faults.rules()).containsExactly(first, second);
        assertThat(faults.active()).isTrue();
        assertThat(faults.remove(first.id())).isTrue();
        assertThat(faults.remove(first.id())).isFalse();
        faults.clear();
        assertThat(faults.active()).isFalse();
        assertThat(changes).containsExactly("[1 drop 0.1]", "[1 drop 0.1, 2 partition a]", "[2 partition a]", "[]");
    }

    @Test
    void aRuleNamingAnUnknownNodeIsRefused() {
        FaultInjector faults = new FaultInjector("t", 1);
        faults.knownNodes(() -> Set.of("a", "b"));

        assertThatThrownBy(() -> faults.add(FaultSyntax.parse("partition a zed,yak")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("unknown nodes yak, zed (known: a, b)");
        assertThat(faults.rules()).isEmpty();
    }

    @Test
    void badRulesSayWhatIsWrong() {
        assertThatThrownBy(() -> new Drop(Links.ANY, -0.5)).hasMessage("probability must be within [0, 1], was -0.5");
        assertThatThrownBy(() -> new Duplicate(Links.ANY, Double.NaN)).hasMessageContaining("probability must be within [0, 1]");
        assertThatThrownBy(() -> new Delay(Links.ANY, Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("0 <= min <= max");
        assertThatThrownBy(() -> new Reorder(Links.ANY, 0.5, Duration.ZERO)).hasMessageContaining("hold must be within");
        assertThatThrownBy(() -> new Partition(Set.of("a"), Set.of("a", "b"), false)).hasMessageContaining("on both sides");
        assertThatThrownBy(() -> Partition.isolate(Set.of())).hasMessageContaining("at least one node");
        assertThatThrownBy(() -> Links.ANY.protocol(300)).hasMessageContaining("id 0-255");
    }

    private static FaultRules rules(Fault... faults) {
        FaultInjector injector = new FaultInjector("t", 1);
        for (Fault f : faults) {
            injector.add(f);
        }
        return injector.current();
    }

    private static List<Verdict> verdicts(FaultInjector faults, int frames) {
        List<Verdict> out = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            out.add(faults.judge("a", "b", 1));
        }
        return out;
    }
}

package io.hyphae.membership.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyphae.membership.faults.Fault.Delay;
import io.hyphae.membership.faults.Fault.Drop;
import io.hyphae.membership.faults.Fault.Duplicate;
import io.hyphae.membership.faults.Fault.Partition;
import io.hyphae.membership.faults.Fault.Reorder;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class FaultSyntaxProperties {

    @Property
    void whatFormatWritesParseReadsBackEqual(@ForAll("faults") Fault fault) {
        assertThat(FaultSyntax.parse(FaultSyntax.format(fault))).isEqualTo(fault);
    }

    @Property
    void anyTextIsReadOrRefusedWithAnIllegalArgument(@ForAll String text) {
        try {
            FaultSyntax.parse(text);
        } catch (IllegalArgumentException expected) {
            assertThat(expected.getMessage()).isNotBlank();
        }
    }

    @Example
    void readsTheFormsOfTheDocs() {
        assertThat(FaultSyntax.parse("drop 1 to=b")).isEqualTo(new Drop(new Links(Set.of(), Set.of("b"), false, OptionalInt.empty()), 1));
        assertThat(FaultSyntax.parse("delay 50ms from=a")).isEqualTo(new Delay(new Links(Set.of("a"), Set.of(), false,
                OptionalInt.empty()), Duration.ofMillis(50), Duration.ofMillis(50)));
        assertThat(FaultSyntax.parse("duplicate 0.5 protocol=plumtree")).isEqualTo(new Duplicate(Links.ANY.protocol(2), 0.5));
        assertThat(FaultSyntax.parse("partition a,b c,d,e")).isEqualTo(Partition.between(Set.of("a", "b"), Set.of("c", "d", "e")));
        assertThat(FaultSyntax.parse("partition c one-way")).isEqualTo(new Partition(Set.of("c"), Set.of(), true));
    }

    @Example
    void refusesBadWordsNamingThem() {
        assertThatThrownBy(() -> FaultSyntax.parse("drop")).hasMessage("drop: expected PROBABILITY before the links");
        assertThatThrownBy(() -> FaultSyntax.parse("drop often")).hasMessageContaining("got 'often'");
        assertThatThrownBy(() -> FaultSyntax.parse("reorder 0.5 99999999999999999999999d")).hasMessageContaining("expected a duration");
        assertThatThrownBy(() -> FaultSyntax.parse("drop 1 protocol=gossip")).hasMessageContaining("got 'gossip'");
        assertThatThrownBy(() -> FaultSyntax.parse("partition a,,b")).hasMessageContaining("an empty node name");
        assertThatThrownBy(() -> FaultSyntax.parse("partition a b c")).hasMessageContaining("SIDE [OTHER] [one-way]");
        assertThatThrownBy(() -> FaultSyntax.parse("  ")).hasMessageContaining("expected a fault");
    }

    @Provide
    Arbitrary<Fault> faults() {
        Arbitrary<Set<String>> names = Arbitraries.of("a", "b", "c", "node-7", "x.y").set().ofMaxSize(3);
        Arbitrary<Links> links = Combinators.combine(names, names, Arbitraries.of(true, false),
                Arbitraries.integers().between(-1, 255)).as((f, t, both, p) -> new Links(f, t, both,
                p < 0 ? OptionalInt.empty() : OptionalInt.of(p)));
        Arbitrary<Double> probability = Arbitraries.doubles().between(0, 1);
        Arbitrary<Duration> duration = Arbitraries.longs().between(1, Fault.LONGEST.toNanos())
                .map(n -> n % 3 == 0 ? Duration.ofMillis(Math.max(1, n / 1_000_000)) : Duration.ofNanos(n));
        return Arbitraries.oneOf(
                Combinators.combine(links, probability).as(Drop::new),
                Combinators.combine(links, probability).as(Duplicate::new),
                Combinators.combine(links, duration, duration).as((l, x, y) -> x.compareTo(y) <= 0 ? new Delay(l, x, y) : new Delay(l, y, x)),
                Combinators.combine(links, probability, duration).as(Reorder::new),
                Combinators.combine(names.filter(s -> !s.isEmpty()), names, Arbitraries.of(true, false))
                        .filter((s, o, w) -> o.stream().noneMatch(s::contains)).as(Partition::new));
    }
}

package io.hyphae.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.rpc.wire.RpcMessage.Cast;
import io.hyphae.rpc.wire.RpcMessage.CastStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class CastOrderingProperties {

    private static final NodeId ORIGIN = new NodeId("origin", new HostAndPort("127.0.0.1", 7000), 1);
    private static final long GAP = 1_000;

    /** Fresh per try: jqwik runs every try of a property on the same instance. */
    private static final class Counts implements CastOrdering.Listener {
        long duplicates;
        long skipped;

        @Override
        public void dropped(CastOrdering.Drop why) {
            duplicates++;
        }

        @Override
        public void skipped(long count) {
            skipped += count;
        }
    }

    @Property(tries = 300)
    void deliversEveryCastOnceInOrderWhenNothingIsLost(
            @ForAll @IntRange(min = 1, max = 200) int casts,
            @ForAll @IntRange(min = 0, max = 100) int duplicatesPercent,
            @ForAll long seed) {
        // Given the casts 1..n, some sent twice, arriving shuffled within less than a gap timeout
        List<Cast> arrivals = arrivals(casts, duplicatesPercent, 0, new Random(seed));
        Counts counts = new Counts();
        CastOrdering ordering = new CastOrdering(256, GAP, 16, counts);

        // When they all arrive
        List<Long> delivered = new ArrayList<>();
        long now = 0;
        for (Cast c : arrivals) {
            ordering.onCast(c, now++).forEach(d -> delivered.add(d.seq()));
        }

        // Then each is delivered once, in order, and nothing is held
        assertThat(delivered).isEqualTo(range(casts));
        assertThat(ordering.held()).isZero();
        assertThat(counts.skipped).isZero();
        assertThat(counts.duplicates).isEqualTo(arrivals.size() - casts);
    }

    @Property(tries = 300)
    void neverDeliversTwiceOrOutOfOrderWhateverIsLostOrDelayed(
            @ForAll @IntRange(min = 1, max = 200) int casts,
            @ForAll @IntRange(min = 0, max = 100) int duplicatesPercent,
            @ForAll @IntRange(min = 0, max = 50) int lossPercent,
            @ForAll @IntRange(min = 1, max = 16) int window,
            @ForAll long seed) {
        // Given casts lost, duplicated and reordered, arriving over a time that spans gap timeouts
        Random random = new Random(seed);
        List<Cast> arrivals = arrivals(casts, duplicatesPercent, lossPercent, random);
        Counts counts = new Counts();
        CastOrdering ordering = new CastOrdering(window, GAP, 16, counts);

        List<Long> delivered = new ArrayList<>();
        long now = 0;
        for (Cast c : arrivals) {
            now += random.nextInt((int) GAP);
            ordering.onTick(now).forEach(d -> delivered.add(d.seq()));
            ordering.onCast(c, now).forEach(d -> delivered.add(d.seq()));
        }
        // When enough time passes for every gap to be given up
        ordering.onTick(now + GAP).forEach(d -> delivered.add(d.seq()));

        // Then what was delivered is strictly increasing (no duplicate, no reordering) and nothing is held
        for (int i = 1; i < delivered.size(); i++) {
            assertThat(delivered.get(i)).isGreaterThan(delivered.get(i - 1));
        }
        assertThat(ordering.held()).isZero();
        // and every number up to the last one that arrived was either delivered or given up,
        // and only casts that arrived were delivered
        long lastArrived = arrivals.stream().mapToLong(Cast::seq).max().orElse(0);
        assertThat(delivered.size() + counts.skipped).isEqualTo(lastArrived);
        assertThat(arrivals.stream().map(Cast::seq).toList()).containsAll(delivered);
    }

    @Test
    void givesUpAMissingCastAfterTheGapTimeoutAndDeliversTheHeldOnes() {
        Counts counts = new Counts();
        CastOrdering ordering = new CastOrdering(16, GAP, 16, counts);

        assertThat(ordering.onCast(cast(1), 0)).extracting(Cast::seq).containsExactly(1L);
        assertThat(ordering.onCast(cast(3), 10)).isEmpty();
        assertThat(ordering.nextDeadline()).hasValue(10 + GAP);
        assertThat(ordering.onTick(10 + GAP - 1)).isEmpty();

        assertThat(ordering.onTick(10 + GAP)).extracting(Cast::seq).containsExactly(3L);
        assertThat(counts.skipped).isEqualTo(1);
        // the given-up cast arriving late is refused
        assertThat(ordering.onCast(cast(2), 2_000)).isEmpty();
        assertThat(counts.duplicates).isEqualTo(1);
    }

    @Test
    void givesUpTheMissingCastAtOnceWhenTheWindowOverflows() {
        Counts counts = new Counts();
        CastOrdering ordering = new CastOrdering(2, GAP, 16, counts);

        ordering.onCast(cast(2), 0);
        ordering.onCast(cast(3), 0);
        assertThat(ordering.onCast(cast(4), 0)).extracting(Cast::seq).containsExactly(2L, 3L, 4L);
        assertThat(counts.skipped).isEqualTo(1);
    }

    @Test
    void forgetsADepartedOriginAfterItsGracePeriodAndRefusesItsLaterCasts() {
        Counts counts = new Counts();
        CastOrdering ordering = new CastOrdering(16, GAP, 16, counts);
        ordering.onCast(cast(1), 0);

        ordering.onOriginDown(ORIGIN, 100);
        assertThat(ordering.onCast(cast(2), 200)).hasSize(1); // still travelling: delivered
        ordering.onTick(100 + 2 * GAP);

        assertThat(ordering.onCast(cast(3), 100 + 2 * GAP)).isEmpty();
        assertThat(ordering.nextDeadline()).isEmpty();
    }

    @Test
    void refusesNewOriginsPastTheBound() {
        Counts counts = new Counts();
        CastOrdering ordering = new CastOrdering(16, GAP, 1, counts);
        ordering.onCast(cast(1), 0);

        NodeId other = new NodeId("other", new HostAndPort("127.0.0.1", 7001), 1);
        assertThat(ordering.onCast(new Cast(other, CastStream.ALL, 1, "t", new byte[0]), 0)).isEmpty();
        assertThat(counts.duplicates).isEqualTo(1);
    }

    private static List<Cast> arrivals(int casts, int duplicatesPercent, int lossPercent, Random random) {
        List<Cast> out = new ArrayList<>();
        for (long seq = 1; seq <= casts; seq++) {
            if (random.nextInt(100) < lossPercent) {
                continue;
            }
            out.add(cast(seq));
            if (random.nextInt(100) < duplicatesPercent) {
                out.add(cast(seq));
            }
        }
        Collections.shuffle(out, random);
        return out;
    }

    private static Cast cast(long seq) {
        return new Cast(ORIGIN, CastStream.ALL, seq, "topic", new byte[] {(byte) seq});
    }

    private static List<Long> range(int n) {
        List<Long> r = new ArrayList<>();
        for (long i = 1; i <= n; i++) {
            r.add(i);
        }
        return r;
    }
}

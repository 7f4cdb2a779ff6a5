package io.hyphae.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.rpc.wire.RpcMessage.Broadcast;
import io.hyphae.rpc.wire.RpcMessage.Cast;
import io.hyphae.rpc.wire.RpcMessage.DirectCast;
import io.hyphae.rpc.wire.RpcMessage.DirectMark;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class CastOrderingProperties {

    private static final NodeId ORIGIN = node("origin");
    private static final NodeId ME = node("me");
    private static final NodeId OTHER = node("other");
    private static final long ME_KEY = DirectMark.keyOf(ME);
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

    /**
     * The origin, as RpcNode numbers and marks its casts: broadcasts to everyone, direct casts
     * to "me" or to "other". Returns the casts "me" must get, in send order.
     */
    private static List<Cast> sendMix(int casts, int directPercent, Random random) {
        List<Cast> toMe = new ArrayList<>();
        long broadcastSeq = 0;
        Map<NodeId, Long> directSeq = new HashMap<>();
        Map<NodeId, Long> sinceBroadcast = new LinkedHashMap<>();
        for (int i = 0; i < casts; i++) {
            byte[] payload = {(byte) i};
            if (random.nextInt(100) < directPercent) {
                NodeId target = random.nextBoolean() ? ME : OTHER;
                long seq = directSeq.merge(target, 1L, Long::sum);
                sinceBroadcast.put(target, seq);
                DirectCast d = new DirectCast(ORIGIN, ME.incarnation(), seq, broadcastSeq, "t", payload);
                if (target.equals(ME)) {
                    toMe.add(d);
                }
            } else {
                List<DirectMark> marks = new ArrayList<>();
                sinceBroadcast.forEach((n, s) -> marks.add(new DirectMark(DirectMark.keyOf(n), s)));
                sinceBroadcast.clear();
                toMe.add(new Broadcast(ORIGIN, ++broadcastSeq, marks, "t", payload));
            }
        }
        return toMe;
    }

    @Property(tries = 300)
    void deliversEveryCastOnceInSendOrderWhenNothingIsLost(
            @ForAll @IntRange(min = 1, max = 200) int casts,
            @ForAll @IntRange(min = 0, max = 100) int directPercent,
            @ForAll @IntRange(min = 0, max = 100) int duplicatesPercent,
            @ForAll long seed) {
        // Given a mix of broadcasts and direct casts, some arriving twice, all shuffled, within a gap timeout
        Random random = new Random(seed);
        List<Cast> sent = sendMix(casts, directPercent, random);
        List<Cast> arrivals = arrive(sent, duplicatesPercent, 0, random);
        Counts counts = new Counts();
        CastOrdering ordering = new CastOrdering(ME_KEY, 512, GAP, 16, counts);

        // When they all arrive
        List<Cast> delivered = new ArrayList<>();
        long now = 0;
        for (Cast c : arrivals) {
            delivered.addAll(ordering.onCast(c, now++));
        }

        // Then each is delivered once, in the order it was sent, and nothing is held
        assertThat(delivered).isEqualTo(sent);
        assertThat(ordering.held()).isZero();
        assertThat(counts.skipped).isZero();
        assertThat(counts.duplicates).isEqualTo(arrivals.size() - sent.size());
    }

    @Property(tries = 300)
    void neverDeliversTwiceOrOutOfSendOrderWhateverIsLostOrDelayed(
            @ForAll @IntRange(min = 1, max = 200) int casts,
            @ForAll @IntRange(min = 0, max = 100) int directPercent,
            @ForAll @IntRange(min = 0, max = 100) int duplicatesPercent,
            @ForAll @IntRange(min = 0, max = 50) int lossPercent,
            @ForAll @IntRange(min = 1, max = 16) int window,
            @ForAll long seed) {
        // Given casts lost, duplicated and reordered, arriving over a time that spans gap timeouts
        Random random = new Random(seed);
        List<Cast> sent = sendMix(casts, directPercent, random);
        List<Cast> arrivals = arrive(sent, duplicatesPercent, lossPercent, random);
        Counts counts = new Counts();
        CastOrdering ordering = new CastOrdering(ME_KEY, window, GAP, 16, counts);

        List<Cast> delivered = new ArrayList<>();
        long now = 0;
        for (Cast c : arrivals) {
            now += random.nextInt((int) GAP);
            delivered.addAll(ordering.onTick(now));
            delivered.addAll(ordering.onCast(c, now));
        }
        // When enough time passes for every wait to be given up
        delivered.addAll(ordering.onTick(now + GAP));

        // Then what was delivered is a subsequence of what was sent: no duplicate, no reordering
        int at = 0;
        for (Cast d : delivered) {
            while (at < sent.size() && !sent.get(at).equals(d)) {
                at++;
            }
            assertThat(at).as("%s delivered out of send order or twice", d).isLessThan(sent.size());
            at++;
        }
        // and nothing is left held, and only casts that arrived were delivered
        assertThat(ordering.held()).isZero();
        assertThat(arrivals).containsAll(delivered);
    }

    @Test
    void holdsADirectCastUntilTheBroadcastSentBeforeIt() {
        Counts counts = new Counts();
        CastOrdering ordering = new CastOrdering(ME_KEY, 16, GAP, 16, counts);
        Broadcast b1 = new Broadcast(ORIGIN, 1, List.of(), "t", new byte[0]);
        DirectCast d1 = new DirectCast(ORIGIN, ME.incarnation(), 1, 1, "t", new byte[0]);

        assertThat(ordering.onCast(d1, 0)).isEmpty();
        assertThat(ordering.onCast(b1, 1)).containsExactly(b1, d1);
    }

    @Test
    void holdsABroadcastUntilTheDirectCastItsMarkNames() {
        Counts counts = new Counts();
        CastOrdering ordering = new CastOrdering(ME_KEY, 16, GAP, 16, counts);
        DirectCast d1 = new DirectCast(ORIGIN, ME.incarnation(), 1, 0, "t", new byte[0]);
        Broadcast b1 = new Broadcast(ORIGIN, 1, List.of(new DirectMark(ME_KEY, 1)), "t", new byte[0]);

        assertThat(ordering.onCast(b1, 0)).isEmpty();
        assertThat(ordering.onCast(d1, 1)).containsExactly(d1, b1);
        // a mark for another node does not hold it
        Broadcast b2 = new Broadcast(ORIGIN, 2, List.of(new DirectMark(DirectMark.keyOf(OTHER), 5)), "t", new byte[0]);
        assertThat(ordering.onCast(b2, 2)).containsExactly(b2);
    }

    @Test
    void givesUpAMissingCastAfterTheGapTimeoutAndDeliversTheHeldOnes() {
        Counts counts = new Counts();
        CastOrdering ordering = new CastOrdering(ME_KEY, 16, GAP, 16, counts);

        assertThat(ordering.onCast(broadcast(1), 0)).extracting(Cast::seq).containsExactly(1L);
        assertThat(ordering.onCast(broadcast(3), 10)).isEmpty();
        assertThat(ordering.nextDeadline()).hasValue(10 + GAP);
        assertThat(ordering.onTick(10 + GAP - 1)).isEmpty();

        assertThat(ordering.onTick(10 + GAP)).extracting(Cast::seq).containsExactly(3L);
        assertThat(counts.skipped).isEqualTo(1);
        // the given-up cast arriving late is refused
        assertThat(ordering.onCast(broadcast(2), 2_000)).isEmpty();
        assertThat(counts.duplicates).isEqualTo(1);
    }

    @Test
    void givesUpTheMissingCastAtOnceWhenTheWindowOverflows() {
        Counts counts = new Counts();
        CastOrdering ordering = new CastOrdering(ME_KEY, 2, GAP, 16, counts);

        ordering.onCast(broadcast(2), 0);
        ordering.onCast(broadcast(3), 0);
        assertThat(ordering.onCast(broadcast(4), 0)).extracting(Cast::seq).containsExactly(2L, 3L, 4L);
        assertThat(counts.skipped).isEqualTo(1);
    }

    @Test
    void forgetsADepartedOriginOnceSilentForItsGracePeriodAndRefusesItsLaterCasts() {
        CastOrdering ordering = deliveredOneThenReportedDown(new Counts(), 100);
        assertThat(ordering.onCast(broadcast(2), 200)).hasSize(1); // still travelling: delivered
        ordering.onTick(200 + 2 * GAP - 1);
        assertThat(ordering.tracks(ORIGIN)).isTrue();
        ordering.onTick(200 + 2 * GAP);

        assertThat(ordering.tracks(ORIGIN)).isFalse();
        assertThat(ordering.onCast(broadcast(3), 200 + 2 * GAP)).isEmpty();
        assertThat(ordering.nextDeadline()).isEmpty();
    }

    @Test
    void aDepartedOriginThatKeepsCastingIsDeliveredUntilItFallsSilent() {
        // Given an origin reported down that is alive (declared down by mistake, not yet told)
        Counts counts = new Counts();
        CastOrdering ordering = deliveredOneThenReportedDown(counts, 0);

        // When it goes on casting, each cast within a gap timeout of the last, for 10 grace periods
        long now = 0;
        for (long seq = 2; seq <= 21; seq++) {
            now += GAP;
            ordering.onTick(now);
            // Then every cast is delivered
            assertThat(ordering.onCast(broadcast(seq), now)).extracting(Cast::seq).containsExactly(seq);
        }
        // ... and once it is silent for the grace period, it is forgotten
        ordering.onTick(now + 2 * GAP);
        assertThat(ordering.onCast(broadcast(22), now + 2 * GAP)).isEmpty();
        assertThat(counts.duplicates).isEqualTo(1);
    }

    /** An ordering that handed on the origin's first broadcast, then heard at {@code downAt} that the origin was reported down. */
    private static CastOrdering deliveredOneThenReportedDown(Counts counts, long downAt) {
        CastOrdering ordering = new CastOrdering(ME_KEY, 16, GAP, 16, counts);
        ordering.onCast(broadcast(1), 0);
        ordering.onOriginDown(ORIGIN, downAt);
        return ordering;
    }

    @Test
    void refusesNewOriginsPastTheBound() {
        Counts counts = new Counts();
        CastOrdering ordering = new CastOrdering(ME_KEY, 16, GAP, 1, counts);
        ordering.onCast(broadcast(1), 0);

        assertThat(ordering.onCast(new Broadcast(OTHER, 1, List.of(), "t", new byte[0]), 0)).isEmpty();
        assertThat(counts.duplicates).isEqualTo(1);
    }

    private static List<Cast> arrive(List<Cast> sent, int duplicatesPercent, int lossPercent, Random random) {
        List<Cast> out = new ArrayList<>();
        for (Cast c : sent) {
            if (random.nextInt(100) < lossPercent) {
                continue;
            }
            out.add(c);
            if (random.nextInt(100) < duplicatesPercent) {
                out.add(c);
            }
        }
        Collections.shuffle(out, random);
        return out;
    }

    private static Broadcast broadcast(long seq) {
        return new Broadcast(ORIGIN, seq, List.of(), "topic", new byte[] {(byte) seq});
    }

    private static NodeId node(String name) {
        return new NodeId(name, new HostAndPort("127.0.0.1", 7000), 1);
    }
}

package io.hyphae.rpc.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.rpc.wire.RpcMessage.Cast;
import io.hyphae.rpc.wire.RpcMessage.DirectCast;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.junit.jupiter.api.Test;

/**
 * Cast lanes take casts in runs (what one frame made deliverable). Each origin's casts must
 * reach the handler in the order offered, whatever the runs and however drains split them, and
 * a lane must hold no more than its capacity, counting what did not fit.
 */
class CastLanesTest {

    private static final NodeId A = new NodeId("a", new HostAndPort("127.0.0.1", 7001), 1);
    private static final NodeId B = new NodeId("b", new HostAndPort("127.0.0.1", 7002), 1);

    // The handler executor, run by the test: each task is one drain.
    private final Queue<Runnable> tasks = new ArrayDeque<>();
    private final List<Cast> delivered = new ArrayList<>();
    private final List<Integer> perDrain = new ArrayList<>();

    private CastLanes lanes(int capacity) {
        return new CastLanes(tasks::add, (work, delay) -> {
            throw new AssertionError("the executor never refuses here");
        }, capacity, delivered::add);
    }

    private void runAllDrains() {
        Runnable t;
        while ((t = tasks.poll()) != null) {
            int before = delivered.size();
            t.run();
            perDrain.add(delivered.size() - before);
        }
    }

    @Test
    void eachOriginsCastsArriveInOrderAcrossRunsAndDrains() {
        // Given lanes with room for everything
        CastLanes lanes = lanes(10_000);

        // When runs of 300 and 1 of a's casts, a mixed run of a and b, and a single cast are offered
        List<Cast> run1 = casts(A, 1, 300);
        List<Cast> mixed = new ArrayList<>(casts(A, 302, 50));
        mixed.addAll(casts(B, 1, 40));
        mixed.addAll(casts(A, 352, 10));
        assertThat(lanes.offerAll(run1)).isZero();
        assertThat(lanes.offerAll(casts(A, 301, 1))).isZero();
        assertThat(lanes.offerAll(mixed)).isZero();
        assertThat(lanes.offerAll(casts(B, 41, 1))).isZero();
        runAllDrains();

        // Then every cast arrived once, each origin's in order, and no drain handed over more than its batch
        assertThat(seqsOf(A)).isEqualTo(range(1, 362));
        assertThat(seqsOf(B)).isEqualTo(range(1, 42));
        assertThat(perDrain).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(256));
        assertThat(lanes.queued()).isZero();
    }

    @Test
    void aFullLaneTakesWhatFitsOfARunAndCountsTheRest() {
        // Given a lane with room for 10 casts
        CastLanes lanes = lanes(10);

        // When 7 and then 7 more are offered before the handler runs
        assertThat(lanes.offerAll(casts(A, 1, 7))).isZero();
        assertThat(lanes.offerAll(casts(A, 8, 7))).isEqualTo(4);
        assertThat(lanes.queued()).isEqualTo(10);
        runAllDrains();

        // Then the first 10 ran, in order, and the lane takes casts again once drained
        assertThat(seqsOf(A)).isEqualTo(range(1, 11));
        assertThat(lanes.offerAll(casts(A, 15, 3))).isZero();
        runAllDrains();
        assertThat(seqsOf(A)).endsWith(15L, 16L, 17L);
    }

    private static List<Cast> casts(NodeId origin, long firstSeq, int n) {
        List<Cast> casts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            casts.add(new DirectCast(origin, 1, firstSeq + i, 0, "t", new byte[0]));
        }
        return casts;
    }

    private List<Long> seqsOf(NodeId origin) {
        return delivered.stream().filter(c -> c.origin().equals(origin)).map(Cast::seq).toList();
    }

    private static List<Long> range(long from, long toExclusive) {
        return java.util.stream.LongStream.range(from, toExclusive).boxed().toList();
    }
}

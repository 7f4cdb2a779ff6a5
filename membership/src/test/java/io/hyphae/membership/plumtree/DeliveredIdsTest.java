package io.hyphae.membership.plumtree;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import org.junit.jupiter.api.Test;

class DeliveredIdsTest {

    static final NodeId ORIGIN = new NodeId("o", new HostAndPort("10.0.0.1", 1), 1);

    static MessageId id(long seq) {
        return new MessageId(ORIGIN, seq);
    }

    @Test
    void eachIdIsAcceptedOnceWhateverTheOrder() {
        DeliveredIds d = new DeliveredIds(60_000);

        assertThat(d.add(id(2), 0)).isTrue();
        assertThat(d.add(id(1), 0)).isTrue();
        assertThat(d.add(id(2), 0)).isFalse();
        assertThat(d.add(id(1), 0)).isFalse();
        assertThat(d.add(id(3), 0)).isTrue();
        assertThat(d.contains(id(4))).isFalse();
    }

    @Test
    void tooManyGapsForceTheFloorUpSoSkippedIdsCountAsDelivered() {
        DeliveredIds d = new DeliveredIds(60_000);
        for (long seq = 2; seq <= DeliveredIds.MAX_GAP_ENTRIES + 2; seq++) {
            d.add(id(seq), 0);
        }

        assertThat(d.contains(id(1))).isTrue(); // never delivered, but never will be now: at most once
        assertThat(d.add(id(DeliveredIds.MAX_GAP_ENTRIES + 3), 0)).isTrue();
    }

    @Test
    void silentOriginsAreForgottenAfterTheRetention() {
        DeliveredIds d = new DeliveredIds(60_000);
        d.add(id(1), 0);

        d.expire(59_000);
        assertThat(d.origins()).isEqualTo(1);
        d.expire(60_001);

        assertThat(d.origins()).isZero();
    }

    @Test
    void manyOriginsAreKeptApartAndOnlyTheSilentOnesForgotten() {
        // Given a thousand origins, each delivered one id, the first half at time 0 and the rest later
        DeliveredIds d = new DeliveredIds(60_000);
        for (int i = 0; i < 1000; i++) {
            assertThat(d.add(new MessageId(origin(i), 1), i < 500 ? 0 : 30_000)).isTrue();
        }
        assertThat(d.origins()).isEqualTo(1000);

        // When the first half falls out of the retention
        d.expire(60_001);

        // Then only the second half is remembered, each origin on its own
        assertThat(d.origins()).isEqualTo(500);
        for (int i = 0; i < 1000; i++) {
            assertThat(d.contains(new MessageId(origin(i), 1))).as("origin %d", i).isEqualTo(i >= 500);
            assertThat(d.contains(new MessageId(origin(i), 2))).isFalse();
        }
        assertThat(d.add(new MessageId(origin(999), 1), 60_001)).isFalse();
        assertThat(d.add(new MessageId(origin(0), 1), 60_001)).isTrue();
        assertThat(d.origins()).isEqualTo(501);
    }

    static NodeId origin(int i) {
        return new NodeId("n" + i, new HostAndPort("10.0." + (i >> 8) + "." + (i & 0xff), 7000), 1);
    }
}

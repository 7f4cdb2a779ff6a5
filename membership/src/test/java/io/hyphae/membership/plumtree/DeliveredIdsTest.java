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
}

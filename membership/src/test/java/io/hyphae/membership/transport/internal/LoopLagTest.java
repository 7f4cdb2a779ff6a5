package io.hyphae.membership.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoopLagTest {

    static final long LIMIT = TimeUnit.MILLISECONDS.toNanos(500);
    static final long HOUR = TimeUnit.HOURS.toNanos(1);

    @Test
    void aTaskThatStartsOnTimeIsNoLag() {
        LoopLag lag = new LoopLag(LIMIT);

        lag.started(System.nanoTime() + HOUR); // due in the future: started early, not late

        assertThat(lag.currentNanos()).isZero();
        assertThat(lag.laggedWithin(HOUR)).isFalse();
    }

    @Test
    void aTaskThatStartsLaterThanTheLimitMarksTheLoopLagging() {
        LoopLag lag = new LoopLag(LIMIT);

        lag.started(System.nanoTime() - TimeUnit.SECONDS.toNanos(2));

        assertThat(lag.currentNanos()).isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(2));
        assertThat(lag.laggedWithin(HOUR)).isTrue();
        // the next task on time reports no lag of its own, but the loop lagged recently
        lag.started(System.nanoTime());
        assertThat(lag.currentNanos()).isLessThan(LIMIT);
        assertThat(lag.laggedWithin(HOUR)).isTrue();
    }
}

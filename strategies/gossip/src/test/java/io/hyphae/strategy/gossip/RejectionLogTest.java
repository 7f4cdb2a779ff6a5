package io.hyphae.strategy.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RejectionLogTest {

    private static final long MINUTE = 60_000_000_000L;

    @Test
    void logsOncePerReasonAndSourceAndQuietPeriod() {
        RejectionLog log = new RejectionLog(10, Duration.ofMinutes(1));

        assertThat(log.shouldLog(RejectReason.BAD_MAC, "10.0.0.1", 0)).isTrue();
        assertThat(log.shouldLog(RejectReason.BAD_MAC, "10.0.0.1", MINUTE - 1)).isFalse();
        assertThat(log.shouldLog(RejectReason.STALE, "10.0.0.1", 1)).isTrue();
        assertThat(log.shouldLog(RejectReason.BAD_MAC, "10.0.0.2", 1)).isTrue();
        assertThat(log.shouldLog(RejectReason.BAD_MAC, "10.0.0.1", MINUTE)).isTrue();
    }

    @Test
    void staysBoundedUnderManySources() {
        RejectionLog log = new RejectionLog(2, Duration.ofMinutes(1));
        log.shouldLog(RejectReason.MALFORMED, "a", 0);
        log.shouldLog(RejectReason.MALFORMED, "b", 0);

        assertThat(log.shouldLog(RejectReason.MALFORMED, "c", 1)).as("full, nobody quiet yet").isFalse();
        assertThat(log.shouldLog(RejectReason.MALFORMED, "c", MINUTE)).as("old entries forgotten").isTrue();
    }
}

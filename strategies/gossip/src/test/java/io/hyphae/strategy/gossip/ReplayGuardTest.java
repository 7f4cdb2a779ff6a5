package io.hyphae.strategy.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReplayGuardTest {

    @Test
    void remembersNoncesOnlyWhileTheirPacketsAreFresh() {
        // Given a 1s window
        ReplayGuard guard = new ReplayGuard(100, Duration.ofSeconds(1));
        assertThat(guard.firstSighting(new Nonce(1, 1), 1_000, 1_000)).isTrue();
        assertThat(guard.firstSighting(new Nonce(1, 1), 1_000, 1_500)).isFalse();

        // When the packet's timestamp has left the window
        assertThat(guard.firstSighting(new Nonce(2, 2), 2_500, 2_500)).isTrue();

        // Then its nonce is forgotten: the timestamp check rejects such a copy instead
        assertThat(guard.size()).isEqualTo(1);
    }

    @Test
    void neverHoldsMoreThanItsCapacity() {
        ReplayGuard guard = new ReplayGuard(16, Duration.ofHours(1));

        for (int i = 0; i < 10_000; i++) {
            guard.firstSighting(new Nonce(i, i), 0, 0);
        }

        assertThat(guard.size()).isEqualTo(16);
        assertThat(guard.firstSighting(new Nonce(9_999, 9_999), 0, 0)).as("the newest is still remembered").isFalse();
    }
}

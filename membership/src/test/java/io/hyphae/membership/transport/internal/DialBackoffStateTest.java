package io.hyphae.membership.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.Backoff;
import io.hyphae.membership.HostAndPort;
import java.net.ConnectException;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The per-address hold of {@link DialBackoff}, on a clock handed in. */
class DialBackoffStateTest {

    static final long MS = 1_000_000L;
    static final HostAndPort A = new HostAndPort("10.0.0.1", 7946);
    static final HostAndPort B = new HostAndPort("10.0.0.2", 7946);
    /** 100 ms doubling to 1 s; each hold is between half and all of that. */
    final DialBackoff backoff = new DialBackoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2.0), new SplittableRandom(7));

    @Test
    void eachFailureInARowHoldsTheAddressLongerUpToTheMax() {
        long now = 0;
        Duration[] holds = new Duration[6];
        for (int i = 0; i < holds.length; i++) {
            backoff.failed(A, now, new ConnectException("refused"), false);
            holds[i] = backoff.held(A, now).orElseThrow().remaining();
            assertThat(backoff.held(A, now).orElseThrow().failures()).isEqualTo(i + 1);
            now += holds[i].toNanos(); // asked again the moment the hold ends
            assertThat(backoff.held(A, now)).isEmpty();
        }

        assertThat(holds[0]).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(holds[1]).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(holds[2]).isBetween(Duration.ofMillis(200), Duration.ofMillis(400));
        assertThat(holds[5]).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
        assertThat(backoff.held(B, 0)).as("other addresses are not held").isEmpty();
    }

    @Test
    void aFailureTheHostAnsweredHoldsTheAddressFromTheSecondInARow() {
        // a restart at the same address: refused once, for a moment; not held
        backoff.failed(A, 0, new ConnectException("refused"), true);
        assertThat(backoff.held(A, 0)).isEmpty();

        // refused again: a dead process; held from now on, starting at the initial delay
        backoff.failed(A, 10 * MS, new ConnectException("refused"), true);
        assertThat(backoff.held(A, 10 * MS).orElseThrow().remaining()).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(backoff.held(A, 10 * MS).orElseThrow().failures()).isEqualTo(2);
    }

    @Test
    void aSuccessOrALongQuietStartsTheBackoffAgain() {
        backoff.failed(A, 0, new ConnectException("refused"), false);
        backoff.failed(A, 200 * MS, new ConnectException("refused"), false);
        backoff.succeeded(A);
        assertThat(backoff.held(A, 200 * MS)).isEmpty();
        backoff.failed(A, 300 * MS, new ConnectException("refused"), false);
        assertThat(backoff.held(A, 300 * MS).orElseThrow().failures()).isEqualTo(1);

        // free to dial for longer than the max: the next failure is a first failure again, and the entry can go
        long quiet = 300 * MS + 100 * MS + 1_000 * MS;
        backoff.failed(B, 0, new ConnectException("refused"), false);
        backoff.forgetSettled(quiet);
        assertThat(backoff.size()).isZero();
        backoff.failed(A, quiet, new ConnectException("refused"), false);
        assertThat(backoff.held(A, quiet).orElseThrow().failures()).isEqualTo(1);
        assertThat(backoff.held(A, quiet).orElseThrow().lastError()).contains("refused");
    }
}

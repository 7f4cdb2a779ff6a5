package io.hyphae.examples.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.ClusterSecret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AdminAuthenticatorTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final AdminAuthenticator server = new AdminAuthenticator(Optional.of(ClusterSecret.of("the-cluster-secret-0123")), clock);

    @Test
    void acceptsARequestSignedWithTheSecretOnce() {
        byte[] body = body(NOW, "n1");
        Optional<String> signature = server.sign(body);

        assertThat(server.check(body, signature)).isInstanceOf(AdminAuthenticator.Verdict.Accepted.class);
        assertThat(server.check(body, signature)).isEqualTo(new AdminAuthenticator.Verdict.Refused("replayed request"));
    }

    @Test
    void refusesAnotherSecretATamperedBodyAndNoSignature() {
        AdminAuthenticator other = new AdminAuthenticator(Optional.of(ClusterSecret.of("another-secret-entirely")), clock);
        byte[] body = body(NOW, "n2");
        byte[] tampered = body(NOW, "n2").clone();
        tampered[tampered.length - 3] ^= 1;

        assertThat(server.check(body, other.sign(body))).isInstanceOf(AdminAuthenticator.Verdict.Refused.class);
        assertThat(server.check(tampered, server.sign(body))).isInstanceOf(AdminAuthenticator.Verdict.Refused.class);
        assertThat(server.check(body, Optional.empty())).isInstanceOf(AdminAuthenticator.Verdict.Refused.class);
        assertThat(server.check(body, Optional.of("%%%"))).isEqualTo(new AdminAuthenticator.Verdict.Refused("malformed signature"));
    }

    @Test
    void refusesARequestOlderThanItsWindow() {
        byte[] old = body(NOW.minus(AdminAuthenticator.MAX_AGE).minus(Duration.ofSeconds(1)), "n3");
        byte[] recent = body(NOW.minus(AdminAuthenticator.MAX_AGE).plus(Duration.ofSeconds(1)), "n4");

        assertThat(server.check(old, server.sign(old))).isInstanceOf(AdminAuthenticator.Verdict.Refused.class);
        assertThat(server.check(recent, server.sign(recent))).isInstanceOf(AdminAuthenticator.Verdict.Accepted.class);
    }

    @Test
    void withoutASecretAnythingWellFormedIsAccepted() {
        AdminAuthenticator insecure = new AdminAuthenticator(Optional.empty(), clock);
        byte[] body = body(NOW, "n5");

        assertThat(insecure.sign(body)).isEmpty();
        assertThat(insecure.check(body, Optional.empty())).isInstanceOf(AdminAuthenticator.Verdict.Accepted.class);
        assertThat(insecure.check("{".getBytes(), Optional.empty())).isInstanceOf(AdminAuthenticator.Verdict.Refused.class);
    }

    /** Found in review of the window check; replayed by AdminAuthenticatorFuzzTest's sent_at_wraps_around input. */
    @Test
    void refusesASignedRequestStampedWhereTheAgeOverflows() {
        byte[] body = AdminRequest.JSON.encode(new AdminRequest("members", List.of(), NOW.toEpochMilli() + Long.MIN_VALUE, "n6"));

        assertThat(server.check(body, server.sign(body))).isInstanceOf(AdminAuthenticator.Verdict.Refused.class);
    }

    /** Found in review: the JSON literal null decoded to no request at all (AdminAuthenticatorFuzzTest replays it too). */
    @Test
    void refusesTheJsonLiteralNull() {
        byte[] body = "null".getBytes(java.nio.charset.StandardCharsets.UTF_8);

        assertThat(server.check(body, server.sign(body))).isInstanceOf(AdminAuthenticator.Verdict.Refused.class);
        assertThat(new AdminAuthenticator(Optional.empty(), clock).check(body, Optional.empty()))
                .isInstanceOf(AdminAuthenticator.Verdict.Refused.class);
    }

    private static byte[] body(Instant at, String nonce) {
        return AdminRequest.JSON.encode(new AdminRequest("members", List.of(), at.toEpochMilli(), nonce));
    }
}

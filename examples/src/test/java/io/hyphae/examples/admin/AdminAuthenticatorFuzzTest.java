package io.hyphae.examples.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.hyphae.examples.admin.AdminAuthenticator.Verdict;
import io.hyphae.membership.ClusterSecret;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * The admin channel reads whatever a local process posts. Whatever the body and the signature
 * header, {@link AdminAuthenticator#check} answers with a verdict and never throws; an accepted
 * request is a whole one; and a signed request is accepted only within its time window, even
 * when the signer (anyone holding the secret) wrote odd bytes. Under {@code mvn verify} this
 * replays {@code AdminAuthenticatorFuzzTestInputs/}; {@code scripts/fuzz.sh} fuzzes it.
 */
class AdminAuthenticatorFuzzTest {

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final ClusterSecret SECRET = ClusterSecret.of("the-cluster-secret-0123");

    /** A server without a secret (insecure development mode): any body, any signature header. */
    @FuzzTest(maxDuration = "15s")
    void unsignedRequests(FuzzedDataProvider data) {
        Optional<String> signature = data.consumeBoolean() ? Optional.of(data.consumeString(64)) : Optional.empty();
        AdminAuthenticator server = new AdminAuthenticator(Optional.empty(), CLOCK);

        assertWhole(server.check(data.consumeRemainingAsBytes(), signature));
    }

    /** A server with a secret, and a client that holds it and signs any bytes. */
    @FuzzTest(maxDuration = "15s")
    void signedRequests(byte[] body) {
        AdminAuthenticator server = new AdminAuthenticator(Optional.of(SECRET), CLOCK);

        Verdict verdict = server.check(body, server.sign(body));

        assertWhole(verdict);
        if (verdict instanceof Verdict.Accepted accepted) {
            long sentAt = accepted.request().sentAtMillis();
            long maxAge = AdminAuthenticator.MAX_AGE.toMillis();
            assertThat(sentAt).as("accepted only within the window").isBetween(NOW.toEpochMilli() - maxAge, NOW.toEpochMilli() + maxAge);
        }
    }

    private static void assertWhole(Verdict verdict) {
        assertThat(verdict).isNotNull();
        if (verdict instanceof Verdict.Accepted accepted) {
            assertThat(accepted.request()).isNotNull();
            assertThat(accepted.request().command()).isNotNull();
            assertThat(accepted.request().nonce()).isNotNull();
            assertThat(accepted.request().args()).doesNotContainNull();
        } else {
            assertThat(((Verdict.Refused) verdict).reason()).isNotBlank();
        }
    }
}

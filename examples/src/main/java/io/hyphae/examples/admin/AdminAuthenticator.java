package io.hyphae.examples.admin;

import io.hyphae.membership.ClusterSecret;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Signs and checks admin requests with the cluster secret (HMAC-SHA256 over the request's bytes).
 * The server side also refuses requests older (or further in the future) than {@link #MAX_AGE}
 * and nonces it has seen within that time, so a request read off the loopback interface cannot
 * be replayed. Without a secret (insecure development mode) nothing is checked, as in the rest
 * of such a cluster.
 */
public final class AdminAuthenticator {

    /** Header carrying the base64 MAC of the body. */
    public static final String SIGNATURE_HEADER = "X-Hyphae-Signature";
    static final Duration MAX_AGE = Duration.ofSeconds(30);
    private static final int MAX_NONCES = 10_000;

    private final Optional<ClusterSecret> secret;
    private final Clock clock;
    // Nonces seen within MAX_AGE, oldest first; bounded so a flood of signed requests cannot grow it.
    private final Map<String, Long> seen = new LinkedHashMap<>();

    public AdminAuthenticator(Optional<ClusterSecret> secret, Clock clock) {
        this.secret = secret;
        this.clock = clock;
    }

    public boolean secured() {
        return secret.isPresent();
    }

    /** The signature header value for {@code body}; empty without a secret. */
    public Optional<String> sign(byte[] body) {
        return secret.map(s -> Base64.getEncoder().encodeToString(s.mac(body)));
    }

    /**
     * Decodes and checks a request.
     *
     * @return the request, or the reason it is refused
     */
    public synchronized Verdict check(byte[] body, Optional<String> signature) {
        if (secret.isPresent()) {
            byte[] mac;
            try {
                mac = Base64.getDecoder().decode(signature.orElse(""));
            } catch (IllegalArgumentException e) {
                return new Verdict.Refused("malformed signature");
            }
            if (!secret.get().verify(mac, body)) {
                return new Verdict.Refused("bad signature (not signed with this cluster's secret)");
            }
        }
        AdminRequest request;
        try {
            request = AdminRequest.JSON.decode(body);
        } catch (IllegalArgumentException e) {
            return new Verdict.Refused("malformed request: " + e.getMessage());
        }
        if (request == null) {
            return new Verdict.Refused("malformed request: expected a JSON object, got null");
        }
        if (secret.isPresent()) {
            long now = clock.millis();
            // Bounds, not Math.abs(now - sentAt): that difference overflows for a sentAt near
            // Long.MIN_VALUE, and a request stamped so would pass the check forever.
            if (request.sentAtMillis() < now - MAX_AGE.toMillis() || request.sentAtMillis() > now + MAX_AGE.toMillis()) {
                return new Verdict.Refused("request too old (or clocks differ by more than " + MAX_AGE.toSeconds() + " s)");
            }
            seen.values().removeIf(at -> now - at > 2 * MAX_AGE.toMillis());
            if (seen.containsKey(request.nonce())) {
                return new Verdict.Refused("replayed request");
            }
            if (seen.size() >= MAX_NONCES) {
                seen.remove(seen.keySet().iterator().next());
            }
            seen.put(request.nonce(), now);
        }
        return new Verdict.Accepted(request);
    }

    /** What {@link #check} decided. */
    public sealed interface Verdict {
        record Accepted(AdminRequest request) implements Verdict {
        }

        record Refused(String reason) implements Verdict {
        }
    }
}

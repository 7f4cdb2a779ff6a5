package io.hyphae.examples.admin;

import io.hyphae.rpc.JsonCodec;
import java.util.List;
import java.util.Objects;

/**
 * One admin command as it travels: signed as a whole (the JSON bytes) with the cluster secret.
 * The time and the nonce make a captured request useless later: the server refuses one older
 * than {@link AdminAuthenticator#MAX_AGE} and one whose nonce it has seen.
 *
 * @param command {@code members}, {@code views}, {@code multicall}, {@code abcast} or {@code faults}
 * @param args the command's arguments
 * @param sentAtMillis the client's wall clock when it signed
 * @param nonce random, fresh per request
 */
public record AdminRequest(String command, List<String> args, long sentAtMillis, String nonce) {

    static final JsonCodec<AdminRequest> JSON = JsonCodec.of(AdminRequest.class);

    public AdminRequest {
        Objects.requireNonNull(command, "command");
        args = List.copyOf(args);
        Objects.requireNonNull(nonce, "nonce");
    }
}

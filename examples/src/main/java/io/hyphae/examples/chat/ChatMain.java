package io.hyphae.examples.chat;

import io.hyphae.membership.config.ConfigException;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.rpc.Rpc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The chat's terminal client: {@code hyphae-chat --config FILE --user NAME}. Starts a node from
 * the file, joins the room as NAME, and reads lines from standard input until {@code /quit} or
 * end of input; then leaves the cluster gracefully. Exit status 2 for a bad command line or
 * config file, 1 if the node cannot start.
 */
public final class ChatMain {

    private ChatMain() {
    }

    public static void main(String[] args) throws IOException {
        Path config = null;
        String user = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--config" -> config = Path.of(args[i + 1]);
                case "--user" -> user = args[i + 1];
                default -> {
                    fail(2, "unknown option " + args[i]);
                    return;
                }
            }
        }
        if (config == null || user == null || args.length % 2 != 0) {
            fail(2, "usage: hyphae-chat --config FILE --user NAME");
            return;
        }
        String name = user;
        AtomicReference<ChatRoom> room = new AtomicReference<>();
        Rpc rpc;
        try {
            // The room's handlers are registered before the node joins: no peer's /who finds it without them.
            rpc = Rpc.start(HyphaeConfig.load(config), r -> room.set(new ChatRoom(r, name, System.out)));
        } catch (ConfigException e) {
            fail(2, e.getMessage());
            return;
        } catch (IllegalStateException e) {
            fail(1, "cannot start: " + e.getMessage());
            return;
        }
        try (rpc; ChatRoom chat = room.get()) {
            System.out.println("* you are " + name + " on " + rpc.self().name() + "; type a message, /who, /quit");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null && chat.handle(line)) {
                // each line handled above
            }
            System.out.println("* bye");
        }
    }

    private static void fail(int status, String message) {
        System.err.println("hyphae-chat: " + message);
        System.exit(status);
    }
}

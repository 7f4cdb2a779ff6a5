package io.hyphae.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyphae.testkit.ChildProcess;
import io.hyphae.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three chat clients, each its own node process, typed into through standard input. */
class ChatAcrossThreeNodesTest {

    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private final List<ChildProcess> clients = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        clients.forEach(ChildProcess::close);
    }

    @Test
    void messagesReachEveryoneAndWhoNamesTheNodeThatDidNotAnswer() throws IOException {
        // Given alice, bob and carol on chat-1, chat-2 and chat-3
        List<Integer> ports = FreePorts.tcp(3);
        ChildProcess alice = client("alice", "chat-1", ports.get(0), ports);
        ChildProcess bob = client("bob", "chat-2", ports.get(1), ports);
        ChildProcess carol = client("carol", "chat-3", ports.get(2), ports);
        for (ChildProcess c : clients) {
            await().atMost(PATIENCE).until(() -> c.lines().stream().filter(l -> l.endsWith(" joined the room")).count() >= 2);
        }

        // When alice says hello
        alice.send("hello everyone");

        // Then all three see it, attributed to alice on chat-1
        for (ChildProcess c : clients) {
            await().atMost(PATIENCE).until(() -> c.lines().contains("<alice@chat-1> hello everyone"));
        }

        // When carol asks who is here, every node answers with its user
        carol.send("/who");
        await().atMost(PATIENCE).until(() -> carol.lines().contains("users: alice@chat-1, bob@chat-2, carol@chat-3"));

        // When bob's process hangs (SIGSTOP) and alice asks, chat-2 is named as not answering.
        // (A killed process is no member to ask for long: its neighbours' redials are refused,
        // which reports it down within milliseconds.)
        bob.freeze();
        alice.send("/who");
        await().atMost(PATIENCE).until(() -> alice.lines().stream().anyMatch(l -> l.startsWith("no answer from: chat-2 (")));
        assertThat(alice.lines()).contains("users: alice@chat-1, carol@chat-3");
        bob.killHard();

        // and carol still chats with alice
        carol.send("/quit");
        assertThat(carol.waitFor(PATIENCE)).hasValue(0);
        assertThat(carol.lines()).contains("* bye");
        await().atMost(PATIENCE).until(() -> alice.lines().contains("* chat-3 left the room (LEFT)"));
    }

    private ChildProcess client(String user, String node, int port, List<Integer> ports) throws IOException {
        // A long suspicion timeout keeps a hung node a member, so /who must name it as not answering.
        Path config = Files.writeString(dir.resolve(node + ".yaml"), """
                cluster:
                  name: chat-test
                  secret: chat-test-secret-0123456789
                node:
                  name: %s
                  bind: 127.0.0.1:%d
                discovery:
                  - strategy: static
                    seeds: [%s]
                    poll-interval: 1s
                directory:
                  suspicion-timeout: 30s
                """.formatted(node, port, ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(", "))));
        ChildProcess p = ChildProcess.startJava(user, System.getProperty("java.class.path"), List.of("-XX:TieredStopAtLevel=1"),
                ChatMain.class.getName(), List.of("--config", config.toString(), "--user", user), Map.of(),
                ProcessBuilder.Redirect.appendTo(dir.resolve(user + ".log").toFile()), line -> { });
        clients.add(p);
        return p;
    }
}

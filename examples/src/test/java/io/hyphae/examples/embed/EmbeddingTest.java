package io.hyphae.examples.embed;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.testkit.ChildProcess;
import io.hyphae.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** README's embedding example runs as written, on a one-node cluster. */
class EmbeddingTest {

    @Test
    void theReadmeExampleJoinsCallsAndCasts(@TempDir Path dir) throws IOException {
        // Given a one-node config
        int port = FreePorts.tcp();
        Path config = Files.writeString(dir.resolve("hyphae.yaml"),
                "cluster:\n  secret: embedding-test-secret-0123\nnode:\n  name: solo\n  bind: 127.0.0.1:" + port + "\n");

        // When the example runs in its own JVM
        try (ChildProcess example = ChildProcess.startJava("embedding", System.getProperty("java.class.path"), List.of(),
                Embedding.class.getName(), List.of(config.toString()), Map.of(), ProcessBuilder.Redirect.appendTo(dir.resolve("embedding.log").toFile()), line -> { })) {
            assertThat(example.waitFor(Duration.ofSeconds(30))).hasValue(0);

            // Then it saw itself up, got its own reply and its own cast, and left
            assertThat(example.lines()).anyMatch(l -> l.startsWith("solo@127.0.0.1:" + port + "#") && l.endsWith(" up"))
                    .contains("hello world from solo", "solo says I am here")
                    .anyMatch(l -> l.endsWith(" down: LEFT"));
        }
    }
}

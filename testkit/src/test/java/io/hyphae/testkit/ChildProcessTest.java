package io.hyphae.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChildProcessTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static ChildProcess echo() {
        return ChildProcess.startJava("echo", System.getProperty("java.class.path"), List.of(), EchoMain.class.getName(),
                List.of("a", "b"), Map.of(), ProcessBuilder.Redirect.INHERIT, line -> { });
    }

    @Test
    void awaitsLinesInOrderSkippingOthersAndKeepsThemAll() throws Exception {
        try (ChildProcess child = echo()) {
            assertThat(child.await("READY", WAIT).text()).isEqualTo("READY a b");

            child.send("one");
            child.send("two");

            assertThat(child.await("ECHO t", WAIT).text()).isEqualTo("ECHO two");
            assertThat(child.lines()).containsExactly("READY a b", "ECHO one", "ECHO two");
        }
    }

    @Test
    void aKilledChildEndsAndAwaitSaysSo() throws Exception {
        ChildProcess child = echo();
        child.await("READY", WAIT);

        child.killHard();

        assertThat(child.isAlive()).isFalse();
        assertThatThrownBy(() -> child.await("ECHO", Duration.ofMillis(50)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with");
    }
}

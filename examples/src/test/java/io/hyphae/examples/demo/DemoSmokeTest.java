package io.hyphae.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the demo as {@code ./demo} does (five node JVMs, a real kill -9) and checks its transcript
 * says what the README promises.
 */
class DemoSmokeTest {

    @Test
    @Timeout(90)
    void theDemoFormsACallsCastsLosesANodeAndGetsItBack(@TempDir Path workDir) throws Exception {
        // Given the demo driver with node JVMs on this test's class path
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        DemoDriver driver = new DemoDriver(5, System.getProperty("java.class.path"), workDir, out, false);

        // When it runs to the end and stops its processes
        try (driver) {
            driver.run(DemoDriver.Discovery.AUTO);
        } finally {
            Files.writeString(Path.of("target", "demo-transcript.txt"), bytes.toString(StandardCharsets.UTF_8));
        }
        String transcript = bytes.toString(StandardCharsets.UTF_8);

        // Then five nodes joined, every node seeing all five
        assertThat(transcript).contains("cluster formed: 5 members on every node");
        assertThat(lines(transcript, "\\] node-\\d joined: node-\\d@")).extracting(l -> l.replaceAll(".*\\] (node-\\d) .*", "$1"))
                .containsExactlyInAnyOrder("node-1", "node-2", "node-3", "node-4", "node-5");
        // a multicall gathered five replies
        assertThat(transcript).containsPattern("multicall echo from node-1: 5 replies, 0 bad nodes");
        // every node reported the abcast
        assertThat(transcript).contains("abcast received by 5/5 nodes");
        assertThat(lines(transcript, "node-\\d received from node-2: \"hello from node-2\"")).hasSize(5);
        // the killed node was a bad node of the next multicall, with its reason
        assertThat(transcript).contains("node-3 is gone: exit status 137");
        Matcher bad = Pattern.compile("bad node: node-3@\\S+#(\\d+) (UNREACHABLE|TIMED_OUT|NOT_A_MEMBER)").matcher(transcript);
        assertThat(bad.find()).as("killed node listed as a bad node").isTrue();
        String oldIncarnation = bad.group(1);
        assertThat(transcript).contains("multicall echo from node-1: 4 replies, 1 bad node");
        // the four others reported it down
        assertThat(lines(transcript, "node-\\d reports node-3@\\S+#" + oldIncarnation + " down: UNREACHABLE")).hasSize(4);
        // and it came back as a new incarnation that every node sees
        Matcher rejoined = Pattern.compile("node-3 rejoined as incarnation (\\d+) \\(was (\\d+)\\): up on 5/5 nodes")
                .matcher(transcript);
        assertThat(rejoined.find()).as("rejoin line").isTrue();
        assertThat(rejoined.group(2)).isEqualTo(oldIncarnation);
        assertThat(Long.parseLong(rejoined.group(1))).isGreaterThan(Long.parseLong(oldIncarnation));
        assertThat(transcript).contains("multicall echo from node-1: 5 replies, 0 bad nodes (");
        // and no process it started is left
        assertThat(transcript).contains("stopped every process the demo started");
        for (String pid : Files.readAllLines(workDir.resolve("pids"))) {
            assertThat(ProcessHandle.of(Long.parseLong(pid)).filter(ProcessHandle::isAlive)).as("pid " + pid).isEmpty();
        }
    }

    private static List<String> lines(String transcript, String regex) {
        Pattern p = Pattern.compile(regex);
        return transcript.lines().filter(l -> p.matcher(l).find()).toList();
    }
}

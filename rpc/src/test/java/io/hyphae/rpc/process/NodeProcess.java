package io.hyphae.rpc.process;

import io.hyphae.testkit.ChildProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A {@link ClusterNodeMain} in its own JVM, started on the test class path, driven by lines on its stdin and stdout. */
final class NodeProcess implements AutoCloseable {

    final String name;
    final int port;
    private final ChildProcess process;

    private NodeProcess(String name, int port, ChildProcess process) {
        this.name = name;
        this.port = port;
        this.process = process;
    }

    static NodeProcess start(String name, int port, List<Integer> seeds) {
        List<String> args = new ArrayList<>(List.of(name, String.valueOf(port)));
        seeds.forEach(p -> args.add(String.valueOf(p)));
        return new NodeProcess(name, port, ChildProcess.startJava(name, System.getProperty("java.class.path"),
                List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"),
                ClusterNodeMain.class.getName(), args, Map.of(), ProcessBuilder.Redirect.INHERIT, line -> { }));
    }

    void tell(String command) {
        process.send(command);
    }

    /** The next line starting with {@code prefix}, skipping others; fails after {@code timeout}. */
    String await(String prefix, Duration timeout) throws InterruptedException {
        return process.await(prefix, timeout).text();
    }

    /** The lines up to {@code END} after a {@code report}. */
    List<String> report(Duration timeout) throws InterruptedException {
        process.skipUnread();
        tell("report");
        List<String> out = new ArrayList<>();
        for (String l = await("", timeout); !l.equals("END"); l = await("", timeout)) {
            out.add(l);
        }
        return out;
    }

    void kill() {
        process.killHard();
    }

    @Override
    public void close() {
        process.killHard();
    }
}

package io.hyphae.rpc.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link ClusterNodeMain} in its own JVM, started on the test class path, with its output as a queue of lines. */
final class NodeProcess implements AutoCloseable {

    final String name;
    final int port;
    private final Process process;
    private final PrintWriter in;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private NodeProcess(String name, int port, Process process) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = r.readLine(); l != null; l = r.readLine()) {
                    lines.add(l);
                }
            } catch (IOException e) {
                // the process ended: so did its output
            }
        }, "out-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    static NodeProcess start(String name, int port, List<Integer> seeds) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), ClusterNodeMain.class.getName(), name, String.valueOf(port)));
        seeds.forEach(p -> command.add(String.valueOf(p)));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new NodeProcess(name, port, p);
    }

    void tell(String command) {
        in.println(command);
    }

    /** The next line starting with {@code prefix}, skipping others; fails after {@code timeout}. */
    String await(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String l = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (l == null) {
                throw new AssertionError(name + " did not say '" + prefix + "' within " + timeout
                        + (process.isAlive() ? "" : " (exited with " + process.exitValue() + ")"));
            }
            if (l.startsWith(prefix)) {
                return l;
            }
        }
    }

    /** The lines up to {@code END} after a {@code report}. */
    List<String> report(Duration timeout) throws InterruptedException {
        lines.clear();
        tell("report");
        List<String> out = new ArrayList<>();
        for (String l = await("", timeout); !l.equals("END"); l = await("", timeout)) {
            out.add(l);
        }
        return out;
    }

    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}

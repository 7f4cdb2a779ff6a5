package io.hyphae.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A JVM started as a separate process: its standard output is read line by line on a thread of
 * its own (every line kept with the time it was read, handed to a listener, and queued for
 * {@link #await}), its standard error goes where the caller says, and lines can be written to
 * its standard input. The demo driver runs its nodes with it, the benchmarks their cluster
 * nodes, and the tests the CLI, the chat client and multi-process clusters.
 */
public final class ChildProcess implements AutoCloseable {

    /** One line of standard output and the {@link System#nanoTime()} it was read at. */
    public record Line(String text, long atNanos) {
    }

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final List<String> lines = new ArrayList<>();
    private final BlockingQueue<Line> unread = new LinkedBlockingQueue<>();
    private final Thread reader;

    private ChildProcess(String name, Process process, Consumer<String> listener) {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.reader = new Thread(() -> readLines(listener), name + "-stdout");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * Starts {@code java <jvmOptions> -cp <classPath> <mainClass> <args>} with the JVM running
     * this process.
     *
     * @param stderr where the child's standard error (its log) goes, for example
     *     {@link ProcessBuilder.Redirect#INHERIT} or {@code Redirect.appendTo(logFile)}
     * @param listener called on the reader thread with each line of standard output
     */
    public static ChildProcess startJava(String name, String classPath, List<String> jvmOptions, String mainClass,
                                         List<String> args, Map<String, String> environment,
                                         ProcessBuilder.Redirect stderr, Consumer<String> listener) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr);
        builder.environment().putAll(environment);
        try {
            return new ChildProcess(name, builder.start(), listener);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    /** The java launcher of this JVM, so children run on the same runtime. */
    public static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private void readLines(Consumer<String> listener) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                }
                unread.add(new Line(line, System.nanoTime()));
                listener.accept(line);
            }
        } catch (IOException e) {
            // The process died: its output ends here, as the exit shows.
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Every line of standard output so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The first line so far that matches, if any. */
    public Optional<String> firstLine(Predicate<String> matching) {
        return lines().stream().filter(matching).findFirst();
    }

    /**
     * The next line not yet awaited that starts with {@code prefix}, skipping the others.
     *
     * @throws IllegalStateException when none arrives within {@code timeout}
     */
    public Line await(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Line l = unread.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (l == null) {
                throw new IllegalStateException(name + ": no line starting '" + prefix + "' within " + timeout
                        + (process.isAlive() ? "" : " (exited with " + process.exitValue() + ")"));
            }
            if (l.text().startsWith(prefix)) {
                return l;
            }
        }
    }

    /** Forgets the lines not yet awaited, so the next {@link #await} sees only what comes after. */
    public void skipUnread() {
        unread.clear();
    }

    /** Writes one line to the process's standard input. */
    public void send(String line) {
        try {
            stdin.write(line);
            stdin.write('\n');
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to " + name + ": " + e.getMessage(), e);
        }
    }

    /** Closes its standard input (end of file). */
    public void closeInput() {
        try {
            stdin.close();
        } catch (IOException e) {
            // Already gone.
        }
    }

    /** Waits for the process to end; empty if it is still running after {@code timeout}. */
    public Optional<Integer> waitFor(Duration timeout) {
        try {
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                reader.join(timeout.toMillis()); // the last lines are read before the exit is reported
                return Optional.of(process.exitValue());
            }
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * A real {@code kill -9} of the process (SIGKILL, which is what the JDK sends: no shutdown
     * hook, no goodbye; the kernel closes its sockets), waiting until it is gone.
     */
    public void killHard() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(10));
    }

    /**
     * SIGSTOP: the process stops running but keeps its sockets open, so its peers see a node
     * that does not answer (a hung process, a long pause) rather than one that is gone.
     */
    public void freeze() {
        // Through the shell's built-in kill: a minimal Debian has /bin/sh but not always procps' kill.
        try {
            Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -STOP " + process.pid()).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -STOP " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while freezing " + name, e);
        }
    }

    /**
     * Stops the process and whatever it started: SIGTERM (its shutdown hook leaves the cluster
     * gracefully), then SIGKILL after {@code grace}.
     */
    public void stop(Duration grace) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        if (waitFor(grace).isEmpty()) {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(5));
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }
}

package io.hyphae.examples.process;

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
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A JVM started as a separate process: its standard output is read line by line on a thread of
 * its own (every line kept, and handed to a listener), its standard error goes to a log file, and
 * lines can be written to its standard input. Used by the demo driver to run nodes, and by the
 * tests to drive the CLI and the chat client as an operator would.
 */
public final class ChildProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final List<String> lines = new ArrayList<>();
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
     * @param stderrLog where the child's standard error (its log) goes; appended to
     * @param listener called on the reader thread with each line of standard output
     */
    public static ChildProcess startJava(String name, String classPath, List<String> jvmOptions, String mainClass,
                                         List<String> args, Map<String, String> environment, Path stderrLog,
                                         Consumer<String> listener) {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrLog.toFile()));
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
     * A real {@code kill -9} of the process (SIGKILL: no shutdown hook, no goodbye; the kernel
     * closes its sockets), waiting until it is gone.
     */
    public void killHard() {
        try {
            Process kill = new ProcessBuilder("kill", "-9", Long.toString(process.pid())).inheritIO().start();
            kill.waitFor();
        } catch (IOException e) {
            process.destroyForcibly(); // no kill(1) on this system: the JDK sends the same SIGKILL
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        waitFor(Duration.ofSeconds(10));
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

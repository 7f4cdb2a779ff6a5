package io.hyphae.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Whether this very process listens on a TCP port, read from Linux's {@code /proc}. A connect
 * to the port cannot say that: another process may have bound the number since (tests take
 * ports from the ephemeral range), and a connect can even meet itself (TCP simultaneous open).
 */
public final class ListeningPorts {

    private static final String LISTEN = "0A";

    private ListeningPorts() {
    }

    /** True if a socket of this process is in the LISTEN state on {@code port}, IPv4 or IPv6. */
    public static boolean thisProcessListensOn(int port) {
        Set<String> listening = new HashSet<>();
        listening.addAll(listeningInodes(Path.of("/proc/net/tcp"), port));
        listening.addAll(listeningInodes(Path.of("/proc/net/tcp6"), port));
        if (listening.isEmpty()) {
            return false;
        }
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(ListeningPorts::socketInode).anyMatch(listening::contains);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // A line: "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...",
    // addresses as HEXADDR:HEXPORT.
    private static List<String> listeningInodes(Path table, int port) {
        if (!Files.exists(table)) {
            return List.of();
        }
        String suffix = ":" + String.format(Locale.ROOT, "%04X", port);
        try (Stream<String> lines = Files.lines(table)) {
            return lines.skip(1)
                    .map(line -> line.trim().split("\\s+"))
                    .filter(f -> f.length > 9 && f[1].endsWith(suffix) && f[3].equals(LISTEN))
                    .map(f -> f[9])
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String socketInode(Path fd) {
        try {
            String target = Files.readSymbolicLink(fd).toString();
            return target.startsWith("socket:[") ? target.substring(8, target.length() - 1) : "";
        } catch (IOException e) {
            return ""; // closed while we listed the directory
        }
    }
}

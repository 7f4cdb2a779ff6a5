package io.hyphae.strategy.dns;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * A real dnsmasq on a loopback port, authoritative for {@code hyphae.test}: names missing from
 * its hosts file get NXDOMAIN. A/AAAA records live in a hosts directory that dnsmasq watches
 * with inotify, so {@link #hosts} changes them while it runs; SRV records are command-line
 * options, so {@link #srv} takes effect at the next {@link #start}.
 */
final class Dnsmasq implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/dnsmasq");
    static final String DOMAIN = "hyphae.test";

    private final Path dir;
    private final String listenAddress;
    private final int port;
    private List<String> srvRecords = List.of();
    private Process process;

    Dnsmasq(Path dir, String listenAddress) throws IOException {
        requireBinary();
        this.dir = dir;
        this.listenAddress = listenAddress;
        this.port = freePort(InetAddress.getByName(listenAddress));
        Files.createDirectories(dir.resolve("hosts.d"));
        hosts();
    }

    /**
     * CI must run every test, so a missing dnsmasq fails there with the fix; on a developer's
     * machine the test is skipped with the same hint.
     */
    static void requireBinary() {
        if (Files.isExecutable(BINARY)) {
            return;
        }
        String hint = BINARY + " not found: run scripts/install-test-deps.sh as root (Debian package dnsmasq-base)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(hint);
        }
        Assumptions.abort(hint);
    }

    int port() {
        return port;
    }

    String address() {
        return listenAddress.contains(":") ? "[" + listenAddress + "]:" + port : listenAddress + ":" + port;
    }

    /** Replaces every A/AAAA record; lines are {@code ip name}, as in /etc/hosts. */
    void hosts(String... lines) throws IOException {
        Path tmp = dir.resolve("hosts.tmp");
        Files.writeString(tmp, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        // An atomic rename is one inotify event, so dnsmasq never reads a half-written file.
        Files.move(tmp, dir.resolve("hosts.d").resolve("hosts"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Sets the SRV records ({@code name,target,port}) served from the next start. */
    void srv(String... records) {
        srvRecords = List.of(records);
    }

    Dnsmasq start() throws IOException {
        List<String> cmd = new ArrayList<>(List.of(BINARY.toString(),
                "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-negcache",
                "--local=/" + DOMAIN + "/", "--bind-interfaces", "--listen-address=" + listenAddress,
                "--port=" + port, "--hostsdir=" + dir.resolve("hosts.d"), "--pid-file=", "--log-facility=-"));
        if ("root".equals(System.getProperty("user.name"))) {
            // Otherwise it drops to "nobody", who cannot read the test's private temp directory.
            cmd.add("--user=root");
        }
        srvRecords.forEach(r -> cmd.add("--srv-host=" + r));
        process = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("dnsmasq.log").toFile()))
                .start();
        await("dnsmasq answering on " + address()).atMost(Duration.ofSeconds(10)).until(this::answers);
        return this;
    }

    void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Starts again on the same port, with the current SRV records. */
    void restart() throws IOException {
        stop();
        start();
    }

    private boolean answers() throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException("dnsmasq exited: " + Files.readString(dir.resolve("dnsmasq.log")));
        }
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(listenAddress, port));
        r.setTimeout(Duration.ofMillis(200));
        try {
            r.send(Message.newQuery(Record.newRecord(Name.fromString("probe." + DOMAIN + "."), Type.A, DClass.IN)));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort(InetAddress address) throws IOException {
        // dnsmasq needs the port free for both UDP and TCP; a port the kernel just gave out for
        // one of them is taken for the other only by a coincidence that this loop retries.
        for (int attempt = 0; ; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, 0));
                 ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 1, address)) {
                return tcp.getLocalPort();
            } catch (IOException e) {
                if (attempt > 20) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}

package io.hyphae.faults;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * N hosts on one Linux bridge: a network namespace per host ({@code hflt<pid>-h<i>}) whose
 * {@code eth0} (10.77.0.(10+i)/24) is one end of a veth, the other end ({@code v<i>}) on bridge
 * {@code br0} inside a namespace of its own ({@code hflt<pid>-br}), so nothing touches the
 * machine's own network and runs of different JVMs never share a bridge. The pid in the names
 * tells a live run from the leftovers of a crashed one, which {@link #create} removes first
 * (processes still in them included).
 *
 * <p>Faults, made and healed for real: {@link #cable} sets the bridge end of a host's veth down
 * (the host's NIC loses carrier: nothing in or out, like a pulled cable); {@link #blackhole}
 * adds, on each host of a pair, a blackhole route to the other (the split brain: each half
 * still talks within itself).
 */
final class NamespaceNetwork implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NamespaceNetwork.class);
    static final String FAMILY = "hflt";
    private static final Pattern OURS = Pattern.compile("^(" + FAMILY + "(\\d+))-\\S+");
    private static final long COMMAND_TIMEOUT_S = 10;

    private final String ip;
    private final String prefix;
    private final int hosts;
    private final List<String> created = new ArrayList<>();

    private NamespaceNetwork(String ip, String prefix, int hosts) {
        this.ip = ip;
        this.prefix = prefix;
        this.hosts = hosts;
    }

    /** iproute2's {@code ip}, if installed. */
    static Optional<String> ipCommand() {
        return Arrays.asList("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip").stream()
                .filter(p -> new File(p).canExecute()).findFirst();
    }

    static NamespaceNetwork create(String ip, int hosts) throws IOException, InterruptedException {
        removeLeftovers(ip);
        NamespaceNetwork net = new NamespaceNetwork(ip, FAMILY + ProcessHandle.current().pid(), hosts);
        try {
            net.build();
        } catch (IOException | InterruptedException | RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    private void build() throws IOException, InterruptedException {
        String br = prefix + "-br";
        addNamespace(br);
        run(ip, "-n", br, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
        run(ip, "-n", br, "link", "set", "br0", "up");
        for (int i = 1; i <= hosts; i++) {
            String ns = namespace(i);
            addNamespace(ns);
            run(ip, "-n", br, "link", "add", "v" + i, "type", "veth", "peer", "name", "eth0", "netns", ns);
            run(ip, "-n", br, "link", "set", "v" + i, "master", "br0", "up");
            run(ip, "-n", ns, "addr", "add", address(i) + "/24", "dev", "eth0");
            run(ip, "-n", ns, "link", "set", "eth0", "up");
            run(ip, "-n", ns, "link", "set", "lo", "up");
        }
        log.info("created {} hosts on bridge {}", hosts, br);
    }

    private void addNamespace(String ns) throws IOException, InterruptedException {
        run(ip, "netns", "add", ns);
        created.add(ns);
    }

    String namespace(int host) {
        return prefix + "-h" + host;
    }

    static String address(int host) {
        return "10.77.0." + (10 + host);
    }

    /** Plugs host {@code i}'s cable in ({@code up}) or pulls it out. */
    void cable(int host, boolean up) throws IOException, InterruptedException {
        run(ip, "-n", prefix + "-br", "link", "set", "v" + host, up ? "up" : "down");
    }

    /** Adds ({@code on}) or removes, on host {@code a} a blackhole route to {@code b} and on {@code b} one to {@code a}. */
    void blackhole(int a, int b, boolean on) throws IOException, InterruptedException {
        run(ip, "-n", namespace(a), "route", on ? "add" : "del", "blackhole", address(b) + "/32");
        run(ip, "-n", namespace(b), "route", on ? "add" : "del", "blackhole", address(a) + "/32");
    }

    /** Kills whatever still runs in our namespaces, then deletes them (and with them the veths and the bridge). */
    @Override
    public void close() {
        for (String ns : created) {
            deleteNamespace(ip, ns);
        }
        created.clear();
    }

    /** Namespaces of this family whose creating JVM is gone: a run that crashed before cleaning up. */
    private static void removeLeftovers(String ip) throws IOException, InterruptedException {
        for (String line : run(ip, "netns", "list").split("\n")) {
            Matcher m = OURS.matcher(line.trim());
            if (m.find() && ProcessHandle.of(Long.parseLong(m.group(2))).isEmpty()) {
                log.warn("removing namespace {} left by a run that did not clean up", m.group());
                deleteNamespace(ip, m.group());
            }
        }
    }

    private static void deleteNamespace(String ip, String ns) {
        try {
            for (String pid : run(ip, "netns", "pids", ns).split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            run(ip, "netns", "del", ns);
        } catch (IOException | InterruptedException | RuntimeException e) {
            log.warn("could not delete namespace {}: {}", ns, e.toString());
        }
    }

    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output.trim());
        }
        return output;
    }
}

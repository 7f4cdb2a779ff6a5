package io.hyphae.benchmarks.peers;

import io.hyphae.benchmarks.WorkloadKit;
import io.hyphae.testkit.ChildProcess;
import io.hyphae.testkit.FreePorts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.Receiver;
import org.jgroups.blocks.RpcDispatcher;

/**
 * Five JGroups nodes on 127.0.0.1, as hyphae's W1-W4 clusters: this JVM is the caller
 * ({@code node-0}), the four others each run {@link JGroupsNode} in their own JVM
 * ({@link ChildProcess}, which keeps the {@link System#nanoTime()} each line was read at).
 * The caller connects first, so it is the coordinator and the four join it: started all at
 * once, JGroups nodes may each form a cluster of their own and wait for MERGE3 (10-30 s).
 */
final class JGroupsCluster implements AutoCloseable {

    /** One {@link JGroupsNode} JVM. */
    record Child(String name, ChildProcess process) {

        void send(String line) {
            process.send(line);
        }

        ChildProcess.Line await(String prefix, long timeoutMs) throws InterruptedException {
            return process.await(prefix, Duration.ofMillis(timeoutMs));
        }
    }

    final JChannel channel;
    final RpcDispatcher dispatcher;
    final List<Child> children = new ArrayList<>();

    private JGroupsCluster(JChannel channel, RpcDispatcher dispatcher) {
        this.channel = channel;
        this.dispatcher = dispatcher;
    }

    /** Starts the cluster; the caller's view changes go to {@code callerViews}. */
    static JGroupsCluster start(int others, Receiver callerViews) throws Exception {
        List<Integer> ports = FreePorts.tcp(others + 1);
        JChannel channel = JGroupsStack.channel("node-0", ports.get(0), ports);
        RpcDispatcher dispatcher = new RpcDispatcher(channel, new JGroupsNode.Echo());
        dispatcher.setReceiver(callerViews);
        JGroupsCluster cluster = new JGroupsCluster(channel, dispatcher);
        try {
            channel.connect(JGroupsStack.CLUSTER);
            System.err.println("jgroups stack (node-0): " + channel.getProtocolStack().printProtocolSpec(false).replace('\n', ' '));
            for (int i = 1; i <= others; i++) {
                cluster.children.add(startChild("node-" + i, ports.get(i), ports));
            }
            for (Child c : cluster.children) {
                c.await("READY", 90_000);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (channel.getView().size() < others + 1) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cluster did not form: " + channel.getView());
                }
                Thread.sleep(20);
            }
            return cluster;
        } catch (Exception | Error e) {
            cluster.children.forEach(c -> c.process().killHard());
            dispatcher.close();
            channel.close();
            throw e;
        }
    }

    /** The four other members, by name. */
    List<Address> others() {
        return channel.getView().getMembers().stream()
                .filter(a -> !a.equals(channel.getAddress()))
                .sorted((a, b) -> a.toString().compareTo(b.toString()))
                .toList();
    }

    private static Child startChild(String name, int port, List<Integer> ports) {
        List<String> args = new ArrayList<>(List.of(JGroupsNode.KEY, name, String.valueOf(port)));
        ports.forEach(p -> args.add(String.valueOf(p)));
        // preferIPv4Stack: JGroups binds 127.0.0.1, and an IPv6-first stack only adds mapped addresses.
        return new Child(name, WorkloadKit.startNodeJvm(name, args, List.of("-Djava.net.preferIPv4Stack=true")));
    }

    @Override
    public void close() {
        for (Child c : children) {
            c.send("leave");
        }
        dispatcher.stop();
        channel.close();
        for (Child c : children) {
            if (c.process().waitFor(Duration.ofSeconds(5)).isEmpty()) {
                c.process().killHard();
            }
        }
    }
}

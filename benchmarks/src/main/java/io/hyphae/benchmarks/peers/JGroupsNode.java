package io.hyphae.benchmarks.peers;

import io.hyphae.benchmarks.CastCounter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.blocks.RpcDispatcher;

/**
 * One JGroups node of the peer W1-W4 clusters, in its own JVM
 * ({@code Main jgroups-node NAME PORT PORT...}, the ports of all five): serves {@link Echo}
 * through an {@link RpcDispatcher}, counts the caller's plain multicasts (which the dispatcher
 * would drop: {@link PlainMessageSplitter}), and talks to the driver over
 * stdin/stdout lines, as hyphae's BenchNode does:
 * <ul>
 *   <li>out {@code READY} once its view holds all five;</li>
 *   <li>in {@code expect N}, out {@code DONE received=R lost=L reordered=O} when N multicasts
 *       arrived ({@link CastCounter});</li>
 *   <li>out {@code GONE name} when it installs a view without a member of the previous one;</li>
 *   <li>in {@code leave}: disconnects and exits.</li>
 * </ul>
 */
public final class JGroupsNode {

    public static final String KEY = "jgroups-node";

    /** The RPC target: public, as the dispatcher finds {@code echo} by reflection. */
    public static final class Echo {
        public byte[] echo(byte[] payload) {
            return payload;
        }
    }

    private JGroupsNode() {
    }

    public static void main(String[] args) throws Exception {
        String name = args[0];
        int port = Integer.parseInt(args[1]);
        List<Integer> ports = Arrays.stream(args, 2, args.length).map(Integer::valueOf).toList();
        PrintStream out = System.out;
        CastCounter counter = new CastCounter();
        try (JChannel channel = JGroupsStack.channel(name, port, ports);
             RpcDispatcher dispatcher = new RpcDispatcher(channel, new Echo())) {
            dispatcher.setReceiver(new Receiver() {
                private Set<Address> previous = Set.of();

                @Override
                public void viewAccepted(View view) {
                    Set<Address> now = new HashSet<>(view.getMembers());
                    for (Address a : previous) {
                        if (!now.contains(a)) {
                            println(out, "GONE " + a);
                        }
                    }
                    previous = now;
                }
            });
            PlainMessageSplitter.install(dispatcher,
                    msg -> counter.count(msg.getSrc(), ByteBuffer.wrap(msg.getArray(), msg.getOffset(), msg.getLength()).getLong()));
            channel.connect(JGroupsStack.CLUSTER);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (channel.getView().size() < ports.size()) {
                if (System.nanoTime() > deadline) {
                    System.err.println(name + " gave up waiting for the cluster: " + channel.getView());
                    return; // never outlive a driver that died before the cluster formed
                }
                Thread.sleep(20); // a benchmark main, not a test: polls the view while the cluster forms
            }
            println(out, "READY");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("leave"); line = in.readLine()) {
                if (line.startsWith("expect ")) {
                    println(out, counter.await(Long.parseLong(line.substring(7).trim())).line());
                }
            }
        }
    }

    private static void println(PrintStream out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}

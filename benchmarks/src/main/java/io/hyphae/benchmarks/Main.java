package io.hyphae.benchmarks;

import io.hyphae.benchmarks.peers.JGroupsNode;
import io.hyphae.benchmarks.peers.JGroupsWorkloads;
import io.hyphae.benchmarks.rpc.BenchNode;
import io.hyphae.benchmarks.rpc.RpcWorkloads;
import io.hyphae.benchmarks.rpc.Soak;
import io.hyphae.benchmarks.sim.S1MassFailure;
import io.hyphae.benchmarks.sim.S3LargeCluster;
import io.hyphae.benchmarks.sim.S5PlumtreeRedundancy;
import java.util.Arrays;

/**
 * Entry point of {@code benchmarks/run KEY [options]}: runs one workload of
 * {@code WORKLOADS.md} and prints its line, {@code KEY name=value ...}, on standard output.
 */
public final class Main {

    private static final String KEYS = "T1 W1 W2 W3 W4 S1 S2 S3 S4 S5 SOAK";
    /**
     * Who runs W1-W4: hyphae, or a peer measured on the same workloads ({@code --peer jgroups};
     * {@code --peer erlang} never gets here: {@code benchmarks/run} starts Erlang's nodes itself).
     */
    private static final String PEERS = "hyphae jgroups erlang";

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: benchmarks/run KEY [options]   (keys: " + KEYS + ")");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "T1" -> TransportRoundTrip.run(rest);
            case TransportRoundTrip.ECHO_KEY -> TransportRoundTrip.echo();
            case "S2" -> ManyNodes.run(rest, false);
            case "S4" -> ManyNodes.run(rest, true);
            case "W1", "W2", "W3", "W4" -> runWorkload(args[0], rest);
            case BenchNode.KEY -> BenchNode.main(rest);
            case JGroupsNode.KEY -> JGroupsNode.main(rest);
            case "SOAK" -> {
                if (!Soak.run(rest)) {
                    System.exit(1); // a long-lived node grew beyond the tolerance
                }
            }
            case "S1" -> S1MassFailure.main(rest);
            case "S3" -> S3LargeCluster.main(rest);
            case "S5" -> S5PlumtreeRedundancy.main(rest);
            default -> {
                System.err.println("unknown workload " + args[0] + " (keys: " + KEYS + ")");
                System.exit(2);
            }
        }
    }

    /** W1-W4 on hyphae, or with {@code --peer NAME} on that peer. */
    private static void runWorkload(String key, String[] rest) throws Exception {
        String peer = "hyphae";
        for (int i = 0; i < rest.length; i++) {
            if (rest[i].equals("--peer")) {
                peer = i + 1 < rest.length ? rest[i + 1] : "";
            }
        }
        switch (peer) {
            case "hyphae" -> RpcWorkloads.run(key, rest);
            case "jgroups" -> JGroupsWorkloads.run(key, rest);
            default -> {
                System.err.println("unknown peer '" + peer + "'; usage: benchmarks/run " + key + " [--peer PEER] [options]   (peers: " + PEERS + ")");
                System.exit(2);
            }
        }
    }
}

package io.hyphae.benchmarks;

import java.util.Arrays;

/**
 * Entry point of {@code benchmarks/run KEY [options]}: runs one workload of
 * {@code WORKLOADS.md} and prints its line, {@code KEY name=value ...}, on standard output.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: benchmarks/run KEY [options]   (keys: T1)");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "T1" -> TransportRoundTrip.run(rest);
            case TransportRoundTrip.ECHO_KEY -> TransportRoundTrip.echo();
            case "S2" -> ManyNodes.run(rest, false);
            case "S4" -> ManyNodes.run(rest, true);
            default -> {
                System.err.println("unknown workload " + args[0] + " (keys: T1)");
                System.exit(2);
            }
        }
    }
}

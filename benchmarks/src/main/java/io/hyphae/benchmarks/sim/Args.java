package io.hyphae.benchmarks.sim;

import java.util.HashMap;
import java.util.Map;

/** {@code key=value} command-line options of the simulator workloads. */
final class Args {

    private Args() {
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> out = new HashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + a + "'");
            }
            out.put(a.substring(0, eq), a.substring(eq + 1));
        }
        return out;
    }

    static double[] doubles(String csv) {
        String[] parts = csv.split(",");
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = Double.parseDouble(parts[i].trim());
        }
        return out;
    }

    /** 50.0 as "50", 92.5 as "92.5". */
    static String format(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}

package io.hyphae.faults;

import java.util.List;

/**
 * A fault the harness made, from {@code start} until it was healed at {@code end} (ms, one
 * clock with the histories). It separates every node named in {@code side} from every node not
 * named there: a cut host, one half of a split, a frozen or killed node.
 *
 * @param kind what was done: {@code link-down}, {@code blackhole}, {@code sigstop}, {@code leave}, {@code kill}
 */
record Fault(String kind, List<String> side, long start, long end) {

    Fault {
        side = List.copyOf(side);
        if (end < start) {
            throw new IllegalArgumentException("fault ends before it starts: " + start + ".." + end);
        }
    }

    /** True when this fault stands between nodes {@code a} and {@code b} (names, not incarnations). */
    boolean separates(String a, String b) {
        return side.contains(a) != side.contains(b);
    }
}

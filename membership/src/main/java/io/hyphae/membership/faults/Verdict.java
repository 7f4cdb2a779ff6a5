package io.hyphae.membership.faults;

/**
 * What the rules do to one frame: lose it, or send it {@code copies} times, after
 * {@code delayNanos} (in order with the other delayed frames of its link) plus
 * {@code holdNanos} (out of order: later frames overtake it).
 */
public record Verdict(boolean dropped, int copies, long delayNanos, long holdNanos) {

    /** Untouched: sent once, now. */
    public static final Verdict PASS = new Verdict(false, 1, 0, 0);

    /** Lost. */
    public static final Verdict DROP = new Verdict(true, 0, 0, 0);

    Verdict duplicated() {
        return new Verdict(false, copies + 1, delayNanos, holdNanos);
    }

    Verdict delayed(long nanos) {
        return new Verdict(false, copies, delayNanos + nanos, holdNanos);
    }

    Verdict held(long nanos) {
        return new Verdict(false, copies, delayNanos, holdNanos + nanos);
    }

    /** True when the frame goes out once, now. */
    public boolean untouched() {
        return !dropped && copies == 1 && delayNanos == 0 && holdNanos == 0;
    }
}

package io.hyphae.membership.sim;

import java.util.Arrays;

/** What the {@link Flood} layers of one simulation measured: who delivered each broadcast, and the traffic. */
public final class FloodStats {

    private Flood.FloodMessage[] messages = new Flood.FloodMessage[16];
    private int[] delivered = new int[16];
    private long[] startedAt = new long[16];
    private long[] lastDeliveryAt = new long[16];
    private int broadcasts;
    private long sent;
    private long duplicates;

    /** Registers a new broadcast started at {@code nowMillis} and returns its sequence number. */
    public int newBroadcast(long nowMillis) {
        if (broadcasts == messages.length) {
            int n = broadcasts * 2;
            messages = Arrays.copyOf(messages, n);
            delivered = Arrays.copyOf(delivered, n);
            startedAt = Arrays.copyOf(startedAt, n);
            lastDeliveryAt = Arrays.copyOf(lastDeliveryAt, n);
        }
        int seq = broadcasts++;
        messages[seq] = new Flood.FloodMessage(seq);
        startedAt[seq] = nowMillis;
        return seq;
    }

    Flood.FloodMessage message(int seq) {
        return messages[seq];
    }

    void delivered(int seq, long nowMillis) {
        delivered[seq]++;
        lastDeliveryAt[seq] = nowMillis;
    }

    void sent() {
        sent++;
    }

    void duplicate() {
        duplicates++;
    }

    /** How many nodes delivered broadcast {@code seq}, its origin included. */
    public int deliveredCount(int seq) {
        return delivered[seq];
    }

    /** Virtual milliseconds from the start of broadcast {@code seq} to its last delivery. */
    public long lastDeliveryMillis(int seq) {
        return lastDeliveryAt[seq] - startedAt[seq];
    }

    public long messagesSent() {
        return sent;
    }

    public long duplicates() {
        return duplicates;
    }
}

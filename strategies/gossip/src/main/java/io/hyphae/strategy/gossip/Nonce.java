package io.hyphae.strategy.gossip;

import java.util.random.RandomGenerator;

/**
 * The 16 random bytes that make every packet unique, so a copy of one is recognised as a
 * replay. Held as two longs so the replay cache stores no arrays.
 */
record Nonce(long high, long low) {

    static final int BYTES = 16;

    static Nonce random(RandomGenerator random) {
        return new Nonce(random.nextLong(), random.nextLong());
    }
}

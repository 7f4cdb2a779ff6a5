package io.hyphae.membership.plumtree;

/**
 * Channel numbers for {@link Plumtree#broadcast}: each upper layer broadcasting over the one
 * Plumtree tree uses its own, so a node hands each delivered payload to the right layer.
 * Channels 0 to 255 are reserved for hyphae; applications use 256 and up.
 */
public final class Channels {

    /** Member directory updates ({@code io.hyphae.membership.directory}). */
    public static final int DIRECTORY = 1;

    /** RPC abcast payloads. */
    public static final int RPC_ABCAST = 2;

    /** The first channel free for applications. */
    public static final int FIRST_APPLICATION_CHANNEL = 256;

    private Channels() {
    }
}

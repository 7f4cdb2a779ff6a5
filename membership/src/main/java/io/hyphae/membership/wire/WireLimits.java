package io.hyphae.membership.wire;

/**
 * Hard limits checked on every inbound frame before anything is allocated.
 *
 * @param maxFrameBytes longest frame accepted, length prefix excluded; a longer one closes the
 *     connection. Larger allows bigger RPC payloads; smaller bounds what one peer can make us buffer.
 * @param maxStringBytes longest string (UTF-8 bytes) inside a message
 * @param maxCollectionSize most elements in any list or set inside a message
 */
public record WireLimits(int maxFrameBytes, int maxStringBytes, int maxCollectionSize) {

    public static final WireLimits DEFAULT = new WireLimits(1 << 20, 64 * 1024, 65_536);

    public WireLimits {
        if (maxFrameBytes < 64 || maxStringBytes < 1 || maxCollectionSize < 1) {
            throw new IllegalArgumentException("wire limits too small: frame >= 64, string >= 1, collection >= 1");
        }
    }
}

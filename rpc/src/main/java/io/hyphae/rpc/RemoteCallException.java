package io.hyphae.rpc;

/** A single-node {@code call} that got no reply; {@link #badNode()} says why. */
public final class RemoteCallException extends RpcException {

    private final BadNode badNode;

    public RemoteCallException(BadNode badNode) {
        super("call to " + badNode.node() + " failed: " + badNode.reason()
                + badNode.detail().map(d -> " (" + d + ")").orElse(""));
        this.badNode = badNode;
    }

    public BadNode badNode() {
        return badNode;
    }
}

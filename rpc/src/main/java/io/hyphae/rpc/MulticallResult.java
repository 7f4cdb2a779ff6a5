package io.hyphae.rpc;

import io.hyphae.membership.NodeId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a multicall gathered: every target appears exactly once, either in {@link #replies()}
 * or in {@link #badNodes()}.
 *
 * @param replies the decoded reply of every node that answered, by node
 * @param badNodes every target that did not answer, with the reason
 */
public record MulticallResult<R>(Map<NodeId, R> replies, List<BadNode> badNodes) {

    public MulticallResult {
        replies = Map.copyOf(replies);
        badNodes = List.copyOf(badNodes);
    }

    /** True when every target replied. */
    public boolean allReplied() {
        return badNodes.isEmpty();
    }

    public Optional<R> replyFrom(NodeId node) {
        return Optional.ofNullable(replies.get(node));
    }

    public Optional<BadNode> badNode(NodeId node) {
        return badNodes.stream().filter(b -> b.node().equals(node)).findFirst();
    }
}

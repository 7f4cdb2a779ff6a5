package io.hyphae.rpc;

import io.hyphae.membership.NodeId;
import java.util.Objects;
import java.util.Optional;

/**
 * A target of a call that did not reply, and why.
 *
 * @param detail what the reason alone does not say: the remote exception's message for
 *     {@link Reason#HANDLER_THREW}, the decoding error for {@link Reason#BAD_REPLY}, …
 */
public record BadNode(NodeId node, Reason reason, Optional<String> detail) {

    /** Why a target gave no reply. */
    public enum Reason {
        /** No link to the node could be used: it refused, the link closed, or the transport knows it is unreachable. */
        UNREACHABLE,
        /** No answer before the call's timeout. */
        TIMED_OUT,
        /** Nothing is registered under that name on the node (or only a cast handler is). */
        NO_SUCH_HANDLER,
        /** The handler threw; the detail holds the exception's class and message. */
        HANDLER_THREW,
        /** The node left the cluster gracefully while the call was outstanding. */
        LEFT,
        /** The target was not a live member when the call started, so nothing was sent to it. */
        NOT_A_MEMBER,
        /** The node's handler queue was full; the request was refused without running. */
        OVERLOADED,
        /** A reply arrived but the endpoint's reply codec refused it. */
        BAD_REPLY
    }

    public BadNode {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }

    public static BadNode of(NodeId node, Reason reason) {
        return new BadNode(node, reason, Optional.empty());
    }

    public static BadNode of(NodeId node, Reason reason, String detail) {
        return new BadNode(node, reason, Optional.of(detail));
    }
}

package io.hyphae.membership.directory;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Notification;
import java.util.Objects;

/**
 * What the directory tells the layer above. {@link MemberUp} and {@link MemberDown} are the
 * membership events for listeners, each at most once per incarnation (a DOWN only after an UP).
 * {@link Broadcast} is for the node composition: it must go out over Plumtree.
 */
public sealed interface DirectoryNotification extends Notification {

    /** {@code member} is in the directory and live. Reported for this node itself too. */
    record MemberUp(NodeId member) implements DirectoryNotification {
        public MemberUp {
            Objects.requireNonNull(member, "member");
        }
    }

    /** {@code member} is gone, for {@code reason}. That incarnation never comes back. */
    record MemberDown(NodeId member, DownReason reason) implements DirectoryNotification {
        public MemberDown {
            Objects.requireNonNull(member, "member");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Broadcast {@code update} to every node (over Plumtree, channel DIRECTORY). */
    record Broadcast(DirectoryMessage.Update update) implements DirectoryNotification {
        public Broadcast {
            Objects.requireNonNull(update, "update");
        }
    }
}

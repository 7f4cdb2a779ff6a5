package io.hyphae.membership.node;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Notification;
import io.hyphae.membership.directory.DirectoryNotification.MemberDown;
import io.hyphae.membership.directory.DirectoryNotification.MemberUp;
import io.hyphae.membership.plumtree.MessageId;
import io.hyphae.membership.plumtree.PlumtreeNotification.Deliver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Records what every simulated node reported: deliveries per message and membership events. */
final class Recorder implements SimulatedCluster.Listener {

    final Map<NodeId, Map<MessageId, Integer>> deliveries = new HashMap<>();
    final Map<NodeId, List<Notification>> memberEvents = new HashMap<>();

    @Override
    public void on(NodeId node, Notification n) {
        if (n instanceof Deliver d) {
            deliveries.computeIfAbsent(node, k -> new HashMap<>()).merge(d.id(), 1, Integer::sum);
        } else if (n instanceof MemberUp || n instanceof MemberDown) {
            memberEvents.computeIfAbsent(node, k -> new ArrayList<>()).add(n);
        }
    }

    int deliveredCount(NodeId node, MessageId id) {
        return deliveries.getOrDefault(node, Map.of()).getOrDefault(id, 0);
    }

    boolean anyDeliveredTwice() {
        return deliveries.values().stream().anyMatch(m -> m.values().stream().anyMatch(c -> c > 1));
    }

    List<Notification> events(NodeId node) {
        return memberEvents.getOrDefault(node, List.of());
    }
}

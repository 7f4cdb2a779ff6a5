package io.hyphae.membership.sim;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Notification;
import io.hyphae.membership.core.TimerKey;

/**
 * A protocol stacked on a simulated node's overlay (a broadcast layer, Plumtree, the directory):
 * it hears the overlay's notifications (neighbour up and down) and gets every message and timer
 * that is not the overlay's own.
 */
public interface SimLayer {

    void onNotification(Notification notification);

    void onMessage(NodeId from, Object message);

    void onTimer(TimerKey timer);
}

package io.hyphae.membership.node;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Effect;
import io.hyphae.membership.core.Event;
import io.hyphae.membership.core.Notification;
import io.hyphae.membership.core.TimerKey;
import io.hyphae.membership.overlay.HyParViewTimer;
import io.hyphae.membership.overlay.OverlayNotification;
import io.hyphae.membership.plumtree.MessageId;
import io.hyphae.membership.plumtree.PlumtreeNotification;
import io.hyphae.membership.sim.SimContext;
import io.hyphae.membership.sim.SimNode;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A {@link NodeCore} on the simulator: feeds it the node's events on virtual time and carries
 * out its effects. Notifications go to {@code listener} (the workload's instruments). Once a
 * round it hands the overlay fresh contacts from {@code discovery}, and when the overlay reports
 * that it needs contacts it joins again through them, as the Netty shell does with its
 * discovery strategies. When the cluster declares it DOWN while it runs ({@link DeclaredDown}),
 * it takes its next incarnation and rejoins.
 */
public final class SimulatedNode implements SimNode {

    private final SimContext ctx;
    private final NodeCore core;
    private final Supplier<List<NodeId>> discovery;
    private final Consumer<Notification> listener;
    private boolean rejoin;
    private boolean declaredDown;

    public SimulatedNode(SimContext ctx, NodeCore core, Supplier<List<NodeId>> discovery, Consumer<Notification> listener) {
        this.ctx = Objects.requireNonNull(ctx, "ctx");
        this.core = Objects.requireNonNull(core, "core");
        this.discovery = Objects.requireNonNull(discovery, "discovery");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    public NodeCore core() {
        return core;
    }

    public void start(List<NodeId> contacts) {
        apply(core.start(ctx.nowMillis(), contacts));
    }

    public void leave() {
        apply(core.leave(ctx.nowMillis()));
    }

    /** Broadcasts {@code payload} on {@code channel} from this node; returns the broadcast's id. */
    public MessageId broadcast(int channel, byte[] payload) {
        List<Effect<Object>> effects = core.broadcast(ctx.nowMillis(), channel, payload);
        apply(effects);
        // NodeCore.broadcast's first effect is the delivery on this node, which names the id
        return ((PlumtreeNotification.Deliver) ((Effect.Notify<Object>) effects.get(0)).notification()).id();
    }

    @Override
    public void onMessage(NodeId from, Object message) {
        apply(core.handle(ctx.nowMillis(), new Event.Received<>(from, message)));
    }

    @Override
    public void onLinkUp(NodeId peer) {
        apply(core.handle(ctx.nowMillis(), new Event.LinkUp<>(peer)));
    }

    @Override
    public void onLinkDown(NodeId peer) {
        apply(core.handle(ctx.nowMillis(), new Event.LinkDown<>(peer)));
    }

    @Override
    public void onConnectionRefused(NodeId peer) {
        apply(core.handle(ctx.nowMillis(), new Event.ConnectionRefused<>(peer)));
    }

    @Override
    public void onTimer(TimerKey timer) {
        if (timer instanceof HyParViewTimer.ShuffleTick) {
            // Once a round, as the Netty shell passes on what its discovery strategies report.
            core.updateContacts(discovery.get());
        }
        // How late the timer fired: the Netty driver measures the same on its event loop.
        core.loopLag(ctx.nowMillis(), ctx.lagMillis());
        apply(core.handle(ctx.nowMillis(), new Event.TimerFired<>(timer)));
    }

    private void apply(List<Effect<Object>> effects) {
        ctx.apply(effects, this::onNotification);
        if (declaredDown) {
            // A false DOWN: the next incarnation, in place (the Netty shell does the same).
            declaredDown = false;
            apply(core.rejoin(ctx.nowMillis(), ctx.renewIncarnation()));
        }
        if (rejoin) {
            rejoin = false;
            List<NodeId> seeds = discovery.get();
            if (!seeds.isEmpty()) {
                apply(core.join(ctx.nowMillis(), seeds));
            }
        }
    }

    private void onNotification(Notification n) {
        if (n instanceof OverlayNotification.NeedsContacts) {
            rejoin = true; // after the remaining effects, so the join sees the view they leave
        } else if (n instanceof DeclaredDown) {
            declaredDown = true;
        }
        listener.accept(n);
    }
}

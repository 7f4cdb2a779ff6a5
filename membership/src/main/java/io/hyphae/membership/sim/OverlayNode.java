package io.hyphae.membership.sim;

import io.hyphae.membership.NodeId;
import io.hyphae.membership.core.Effect;
import io.hyphae.membership.core.Event;
import io.hyphae.membership.core.Notification;
import io.hyphae.membership.core.TimerKey;
import io.hyphae.membership.overlay.HyParView;
import io.hyphae.membership.overlay.HyParViewConfig;
import io.hyphae.membership.overlay.HyParViewMessage;
import io.hyphae.membership.overlay.HyParViewTimer;
import io.hyphae.membership.overlay.OverlayNotification;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A simulated node running the {@link HyParView} core, with an optional {@link SimLayer} on top
 * that hears its neighbour notifications. Once a round the node hands the overlay fresh contacts
 * from {@code discovery}, and when the overlay reports that it needs contacts it joins again
 * through them, as the Netty shell does with its discovery strategies.
 */
public final class OverlayNode implements SimNode {

    private final SimContext ctx;
    private final HyParView hyParView;
    private final Supplier<List<NodeId>> discovery;
    private SimLayer upper;
    private boolean rejoin;

    public OverlayNode(SimContext ctx, HyParViewConfig config, Supplier<List<NodeId>> discovery) {
        this.ctx = Objects.requireNonNull(ctx, "ctx");
        this.discovery = Objects.requireNonNull(discovery, "discovery");
        this.hyParView = new HyParView(ctx.self(), config, ctx.random());
    }

    /** Puts {@code layer} on top of the overlay; it must be set before the node joins. */
    public void setUpper(SimLayer layer) {
        this.upper = Objects.requireNonNull(layer, "layer");
    }

    /** The layer on top, as the type it was built with. */
    public <T extends SimLayer> T upper(Class<T> type) {
        if (upper == null) {
            throw new IllegalStateException("no layer on top of " + ctx.self());
        }
        return type.cast(upper);
    }

    public HyParView hyParView() {
        return hyParView;
    }

    public SimContext context() {
        return ctx;
    }

    /** Joins through {@code contacts} (see {@link HyParView#join}). */
    public void join(List<NodeId> contacts) {
        apply(hyParView.join(contacts));
    }

    /** Leaves the overlay gracefully (see {@link HyParView#leave}). */
    public void leave() {
        apply(hyParView.leave());
    }

    @Override
    public void onMessage(NodeId from, Object message) {
        if (message instanceof HyParViewMessage m) {
            apply(hyParView.handle(ctx.nowMillis(), new Event.Received<>(from, m)));
        } else if (upper != null) {
            upper.onMessage(from, message);
        }
    }

    @Override
    public void onLinkUp(NodeId peer) {
        apply(hyParView.handle(ctx.nowMillis(), new Event.LinkUp<>(peer)));
    }

    @Override
    public void onLinkDown(NodeId peer) {
        apply(hyParView.handle(ctx.nowMillis(), new Event.LinkDown<>(peer)));
    }

    @Override
    public void onTimer(TimerKey timer) {
        if (timer instanceof HyParViewTimer.ShuffleTick) {
            // Once a round, as the Netty shell passes on what its discovery strategies report.
            hyParView.updateContacts(discovery.get());
        }
        if (timer instanceof HyParViewTimer) {
            apply(hyParView.handle(ctx.nowMillis(), new Event.TimerFired<>(timer)));
        } else if (upper != null) {
            upper.onTimer(timer);
        }
    }

    private void apply(List<Effect<HyParViewMessage>> effects) {
        ctx.apply(effects, this::onNotification);
        if (rejoin) {
            rejoin = false;
            List<NodeId> seeds = discovery.get();
            if (!seeds.isEmpty()) {
                apply(hyParView.join(seeds));
            }
        }
    }

    private void onNotification(Notification n) {
        if (n instanceof OverlayNotification.NeedsContacts) {
            rejoin = true; // after the remaining effects, so the join sees the view they leave
        } else if (upper != null) {
            upper.onNotification(n);
        }
    }
}

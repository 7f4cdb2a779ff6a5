package io.hyphae.membership.transport.internal;

import io.hyphae.membership.faults.FaultInjector;
import io.hyphae.membership.faults.Verdict;
import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The transport's fault interposition point on one established link: judges every frame the
 * node sends on it by all the rules, and every frame it receives by the partitions only (a link
 * fault was judged where the frame was sent). It sits right after the frame decoder, before
 * idle detection, so a frame it drops never reaches the receiver's heartbeat timer: a cut link
 * times out as a real one would.
 *
 * <p>It is in a pipeline only while a rule may touch that link ({@link #sync}), so a link no
 * rule names pays nothing per frame. Runs on the connection's event loop, so it needs no locks.
 */
final class FaultHandler extends ChannelDuplexHandler {

    static final String NAME = "faults";

    /** A frame a delay holds, in send order, and when it may leave (System.nanoTime()). */
    private record Delayed(Object frame, ChannelPromise promise, int copies, long at) {
    }

    private final FaultInjector faults;
    private final String self;
    private final String peer;
    private final Counter dropped;
    private final Counter duplicated;
    private final Counter delayedFrames;
    private final Counter held;
    /** The frames delays hold; one drain task runs while it is not empty. */
    private final ArrayDeque<Delayed> delayed = new ArrayDeque<>();

    private FaultHandler(FaultInjector faults, TransportMeters meters, String self, String peer) {
        this.faults = faults;
        this.self = self;
        this.peer = peer;
        this.dropped = meters.faultApplied("dropped");
        this.duplicated = meters.faultApplied("duplicated");
        this.delayedFrames = meters.faultApplied("delayed");
        this.held = meters.faultApplied("held");
    }

    /**
     * Puts the handler into an established link's pipeline if a rule may touch the link, or takes
     * it out if none does. Event loop only.
     */
    static void sync(Channel channel, FaultInjector faults, TransportMeters meters, String self, String peer) {
        boolean wanted = faults.current().touches(self, peer);
        boolean present = channel.pipeline().get(NAME) != null;
        if (wanted && !present) {
            channel.pipeline().addAfter(ChannelSetup.FRAMES, NAME, new FaultHandler(faults, meters, self, peer));
        } else if (!wanted && present) {
            channel.pipeline().remove(NAME);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (faults.current().cuts(peer, self)) {
            ReferenceCountUtil.release(msg);
            dropped.increment();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // Outbound frames start with their length prefix; the protocol id follows it.
        int protocol = msg instanceof ByteBuf b && b.readableBytes() > Integer.BYTES
                ? b.getUnsignedByte(b.readerIndex() + Integer.BYTES) : -1;
        Verdict v = faults.judge(self, peer, protocol);
        if (v.dropped()) {
            ReferenceCountUtil.release(msg);
            promise.trySuccess(); // lost on the way, as far as the sender can tell
            dropped.increment();
            return;
        }
        if (v.copies() > 1) {
            duplicated.increment(v.copies() - 1);
        }
        if (v.holdNanos() > 0) {
            held.increment();
            // Out of order on purpose: the frames after it do not wait for it.
            ctx.executor().schedule(() -> {
                emit(ctx, msg, promise, v.copies());
                ctx.flush();
            }, v.delayNanos() + v.holdNanos(), TimeUnit.NANOSECONDS);
        } else if (!v.delayed()) {
            emit(ctx, msg, promise, v.copies()); // no delay selects it: it does not wait for those that do
        } else {
            delayedFrames.increment();
            // In order: nothing a delay selects overtakes a frame a delay holds, as on a slow TCP link.
            long now = System.nanoTime();
            long at = delayed.isEmpty() ? now + v.delayNanos() : Math.max(now + v.delayNanos(), delayed.peekLast().at());
            delayed.add(new Delayed(msg, promise, v.copies(), at));
            if (delayed.size() == 1) {
                ctx.executor().schedule(() -> drain(ctx), at - now, TimeUnit.NANOSECONDS);
            }
        }
    }

    /** Sends the delayed frames that are due, then waits for the next. */
    private void drain(ChannelHandlerContext ctx) {
        long now = System.nanoTime();
        while (!delayed.isEmpty() && delayed.peek().at() <= now) {
            Delayed d = delayed.poll();
            emit(ctx, d.frame(), d.promise(), d.copies());
        }
        ctx.flush();
        if (!delayed.isEmpty()) {
            ctx.executor().schedule(() -> drain(ctx), delayed.peek().at() - now, TimeUnit.NANOSECONDS);
        }
    }

    /** The rules were cleared: what delays hold leaves now, in order, before the frames sent after. */
    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        while (!delayed.isEmpty()) {
            Delayed d = delayed.poll();
            emit(ctx, d.frame(), d.promise(), d.copies());
        }
        ctx.flush();
    }

    // Writes through this context skip the rules; Netty keeps a removed handler's context linked,
    // so frames still held when the handler leaves the pipeline go out this way too.
    private static void emit(ChannelHandlerContext ctx, Object frame, ChannelPromise promise, int copies) {
        for (int extra = 1; extra < copies && frame instanceof ByteBuf b; extra++) {
            ctx.write(b.retainedDuplicate(), ctx.newPromise());
        }
        ctx.write(frame, promise);
    }
}

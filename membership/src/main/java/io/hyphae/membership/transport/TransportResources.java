package io.hyphae.membership.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The threads every {@link Transport} in a JVM shares: one Netty event-loop group. Each
 * transport is pinned to one loop of it, so a thousand simulated nodes in one JVM use a handful
 * of threads, not thousands.
 *
 * <p>Pass one to {@link Transport#start} to choose the thread count and own its lifetime, or use
 * {@link #shared()}, created on first use with one thread per core and never closed (its
 * threads are daemons).
 */
public final class TransportResources implements AutoCloseable {

    private static final class Shared {
        static final TransportResources INSTANCE = create(Runtime.getRuntime().availableProcessors());
    }

    private final EventLoopGroup group;

    private TransportResources(EventLoopGroup group) {
        this.group = group;
    }

    /** A new group of {@code threads} event loops; close it after every transport on it is closed. */
    public static TransportResources create(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        return new TransportResources(new MultiThreadIoEventLoopGroup(
                threads, new DefaultThreadFactory("hyphae-transport", true), NioIoHandler.newFactory()));
    }

    /** The process-wide default group. */
    public static TransportResources shared() {
        return Shared.INSTANCE;
    }

    /** The Netty group; transports take one loop each from it. */
    public EventLoopGroup eventLoopGroup() {
        return group;
    }

    /** Stops the threads, waiting for them; {@link #shared()} ignores this. */
    @Override
    public void close() {
        if (this != Shared.INSTANCE) {
            group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}

package io.hyphae.membership.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads every {@link Transport} in a JVM shares: one Netty event-loop group. Each
 * transport is pinned to one loop of it, so a thousand simulated nodes in one JVM use a handful
 * of threads, not thousands.
 *
 * <p>Pass one to {@link Transport#start} to choose the thread count and own its lifetime, or use
 * {@link #shared()}, created on first use with one thread per core and never closed (its
 * threads are daemons). The loops run on {@link IoEngine#best()} unless an engine is named.
 */
public final class TransportResources implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TransportResources.class);

    private static final class Shared {
        static final TransportResources INSTANCE = create(Runtime.getRuntime().availableProcessors());
    }

    private final EventLoopGroup group;
    private final IoEngine engine;

    private TransportResources(EventLoopGroup group, IoEngine engine) {
        this.group = group;
        this.engine = engine;
    }

    /**
     * A new group of {@code threads} event loops on {@link IoEngine#best()}; close it after every
     * transport on it is closed.
     */
    public static TransportResources create(int threads) {
        IoEngine best = IoEngine.best();
        if (best != IoEngine.EPOLL) {
            log.debug("transport loops use NIO: epoll is not available here ({})", IoEngine.EPOLL.unavailableBecause());
        }
        return create(threads, best);
    }

    /**
     * A new group of {@code threads} event loops on {@code engine}.
     *
     * @throws IllegalStateException if {@code engine} cannot run in this JVM, saying why
     */
    public static TransportResources create(int threads, IoEngine engine) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        if (!engine.isAvailable()) {
            throw new IllegalStateException("I/O engine " + engine + " is not available: " + engine.unavailableBecause());
        }
        return new TransportResources(new MultiThreadIoEventLoopGroup(
                threads, new DefaultThreadFactory("hyphae-transport", true), engine.handlerFactory()), engine);
    }

    /** The process-wide default group. */
    public static TransportResources shared() {
        return Shared.INSTANCE;
    }

    /** The Netty group; transports take one loop each from it. */
    public EventLoopGroup eventLoopGroup() {
        return group;
    }

    /** The engine the loops run on; channels registered on them must be of its types. */
    public IoEngine engine() {
        return engine;
    }

    /** Stops the threads, waiting for them; {@link #shared()} ignores this. */
    @Override
    public void close() {
        if (this != Shared.INSTANCE) {
            group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}

package io.hyphae.membership.node.internal;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The threads discovery strategies poll and retry on, shared by every node of the JVM (daemon
 * threads, never shut down), so a thousand nodes in one JVM do not bring a thousand threads.
 * Strategies may block (a DNS query, an HTTP call), which is why this is not the event loop;
 * a strategy that blocks for long delays the other nodes' polls, never their protocols.
 */
final class DiscoveryThreads {

    private static final class Shared {
        static final ScheduledExecutorService POOL = create();
    }

    private DiscoveryThreads() {
    }

    static ScheduledExecutorService shared() {
        return Shared.POOL;
    }

    private static ScheduledExecutorService create() {
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(
                Math.max(2, Runtime.getRuntime().availableProcessors()), new DefaultThreadFactory("hyphae-discovery", true));
        // Closed strategies cancel their next poll; do not keep those tasks until they are due.
        pool.setRemoveOnCancelPolicy(true);
        return pool;
    }
}

package io.hyphae.rpc;

import io.hyphae.membership.config.ConfigException;
import io.hyphae.membership.config.ConfigSection;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * RPC settings. Each field says what it trades; {@link #defaults()} suits a laptop and a small
 * production cluster alike.
 *
 * @param maxOutstandingCalls calls (a multicall counts once) waiting for answers at one time on
 *     this node. Higher lets more callers in flight; each one holds its replies in memory until
 *     it completes. Past it a call fails at once with {@link RpcLimitExceededException}.
 * @param maxPayloadBytes largest encoded request, reply or cast payload. Must stay below the
 *     transport's frame limit (1 MiB by default) minus the message header. Larger payloads are
 *     refused at once on the sending side.
 * @param handlerThreads threads of the default handler executor. More runs more slow handlers
 *     at once; fewer keeps handlers from competing with the I/O threads for cores.
 * @param handlerQueueCapacity requests and cast batches waiting for a handler thread. When it is
 *     full a request is answered {@code OVERLOADED} at once instead of queueing without bound.
 * @param castQueueCapacity casts from one sender waiting for its handler. abcast has no
 *     back-pressure, so past this bound further casts from that sender are dropped and counted.
 * @param reorderWindow casts from one sender a receiver holds while waiting for an earlier one
 *     that is missing. Larger rides out longer reordering; smaller bounds the memory per sender.
 * @param gapTimeout how long a receiver waits for a missing cast before giving it up and
 *     delivering the later ones it holds. Longer loses fewer casts on a slow repair path; shorter
 *     delays delivery less when a cast is really lost.
 * @param directAbcastMaxMembers up to this many live members, {@code abcast} to all is sent
 *     straight to each member over its link instead of over Plumtree. Direct fan-out costs the
 *     sender one frame per member but keeps each receiver's stream in TCP order with no lazy
 *     repair, so nothing is reordered or given up under load; Plumtree spreads the sending work
 *     over the tree, which only pays off in larger clusters. 0 always uses Plumtree.
 * @param handlerExecutor runs handlers instead of the default bounded pool; it should refuse
 *     work ({@link java.util.concurrent.RejectedExecutionException}) when saturated, which is
 *     answered {@code OVERLOADED}. The RPC layer does not shut a supplied executor down.
 */
public record RpcConfig(
        int maxOutstandingCalls,
        int maxPayloadBytes,
        int handlerThreads,
        int handlerQueueCapacity,
        int castQueueCapacity,
        int reorderWindow,
        Duration gapTimeout,
        int directAbcastMaxMembers,
        Optional<Executor> handlerExecutor) {

    public RpcConfig {
        positive("maxOutstandingCalls", maxOutstandingCalls);
        positive("maxPayloadBytes", maxPayloadBytes);
        positive("handlerThreads", handlerThreads);
        positive("handlerQueueCapacity", handlerQueueCapacity);
        positive("castQueueCapacity", castQueueCapacity);
        positive("reorderWindow", reorderWindow);
        if (directAbcastMaxMembers < 0) {
            throw new IllegalArgumentException("directAbcastMaxMembers must not be negative, was " + directAbcastMaxMembers);
        }
        Objects.requireNonNull(gapTimeout, "gapTimeout");
        if (gapTimeout.isNegative() || gapTimeout.isZero()) {
            throw new IllegalArgumentException("gapTimeout must be positive, was " + gapTimeout);
        }
        Objects.requireNonNull(handlerExecutor, "handlerExecutor");
    }

    public static RpcConfig defaults() {
        return new RpcConfig(
                10_000,
                1_000_000,
                Math.max(2, Runtime.getRuntime().availableProcessors()),
                10_000,
                65_536,
                4_096,
                Duration.ofSeconds(1),
                16,
                Optional.empty());
    }

    /**
     * Reads the {@code rpc} section of a hyphae config file (keys in docs/configuration.md);
     * a key left out keeps its {@link #defaults()} value. The one place file keys map onto fields.
     *
     * @throws ConfigException naming the file and {@code rpc.<key>} for a bad value or an unknown key
     */
    public static RpcConfig from(ConfigSection rpc) {
        RpcConfig d = defaults();
        RpcConfig read = new RpcConfig(
                rpc.integer("max-outstanding-calls", d.maxOutstandingCalls, 1, Integer.MAX_VALUE),
                rpc.bytes("max-payload-size", d.maxPayloadBytes, 1, Integer.MAX_VALUE),
                rpc.integer("handler-threads", d.handlerThreads, 1, 4_096),
                rpc.integer("handler-queue-capacity", d.handlerQueueCapacity, 1, Integer.MAX_VALUE),
                rpc.integer("cast-queue-capacity", d.castQueueCapacity, 1, Integer.MAX_VALUE),
                rpc.integer("reorder-window", d.reorderWindow, 1, Integer.MAX_VALUE),
                rpc.positiveDuration("gap-timeout", d.gapTimeout),
                rpc.integer("direct-abcast-max-members", d.directAbcastMaxMembers, 0, Integer.MAX_VALUE),
                Optional.empty());
        rpc.rejectUnknownKeys();
        return read;
    }

    public RpcConfig withMaxOutstandingCalls(int n) {
        return new RpcConfig(n, maxPayloadBytes, handlerThreads, handlerQueueCapacity, castQueueCapacity, reorderWindow, gapTimeout, directAbcastMaxMembers, handlerExecutor);
    }

    public RpcConfig withMaxPayloadBytes(int n) {
        return new RpcConfig(maxOutstandingCalls, n, handlerThreads, handlerQueueCapacity, castQueueCapacity, reorderWindow, gapTimeout, directAbcastMaxMembers, handlerExecutor);
    }

    public RpcConfig withHandlerPool(int threads, int queueCapacity) {
        return new RpcConfig(maxOutstandingCalls, maxPayloadBytes, threads, queueCapacity, castQueueCapacity, reorderWindow, gapTimeout, directAbcastMaxMembers, handlerExecutor);
    }

    public RpcConfig withCastOrdering(int window, Duration gap) {
        return new RpcConfig(maxOutstandingCalls, maxPayloadBytes, handlerThreads, handlerQueueCapacity, castQueueCapacity, window, gap, directAbcastMaxMembers, handlerExecutor);
    }

    public RpcConfig withDirectAbcastMaxMembers(int n) {
        return new RpcConfig(maxOutstandingCalls, maxPayloadBytes, handlerThreads, handlerQueueCapacity, castQueueCapacity, reorderWindow, gapTimeout, n, handlerExecutor);
    }

    public RpcConfig withHandlerExecutor(Executor executor) {
        return new RpcConfig(maxOutstandingCalls, maxPayloadBytes, handlerThreads, handlerQueueCapacity, castQueueCapacity, reorderWindow, gapTimeout, directAbcastMaxMembers, Optional.of(executor));
    }

    private static void positive(String key, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, was " + value);
        }
    }
}

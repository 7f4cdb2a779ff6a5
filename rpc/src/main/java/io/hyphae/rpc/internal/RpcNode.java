package io.hyphae.rpc.internal;

import io.hyphae.membership.HyphaeNode;
import io.hyphae.membership.NodeId;
import io.hyphae.rpc.BadNode;
import io.hyphae.rpc.BadNode.Reason;
import io.hyphae.rpc.CastHandler;
import io.hyphae.rpc.Endpoint;
import io.hyphae.rpc.Handler;
import io.hyphae.rpc.MulticallResult;
import io.hyphae.rpc.Registration;
import io.hyphae.rpc.RemoteCallException;
import io.hyphae.rpc.Rpc;
import io.hyphae.rpc.RpcCodec;
import io.hyphae.rpc.RpcConfig;
import io.hyphae.rpc.RpcException;
import io.hyphae.rpc.RpcLimitExceededException;
import io.hyphae.rpc.Topic;
import io.hyphae.rpc.internal.HandlerRegistry.CallEntry;
import io.hyphae.rpc.internal.HandlerRegistry.CastEntry;
import io.hyphae.rpc.internal.HandlerRegistry.Entry;
import io.hyphae.rpc.internal.MulticallTable.Completed;
import io.hyphae.rpc.internal.MulticallTable.Opened;
import io.hyphae.rpc.internal.RpcMetrics.CastDrop;
import io.hyphae.rpc.spi.MembershipView;
import io.hyphae.rpc.spi.MembershipView.Departure;
import io.hyphae.rpc.spi.Messaging;
import io.hyphae.rpc.spi.Messaging.SendOutcome;
import io.hyphae.rpc.wire.RpcMessage;
import io.hyphae.rpc.wire.RpcMessage.Broadcast;
import io.hyphae.rpc.wire.RpcMessage.Cast;
import io.hyphae.rpc.wire.RpcMessage.DirectCast;
import io.hyphae.rpc.wire.RpcMessage.DirectMark;
import io.hyphae.rpc.wire.RpcMessage.ErrorReply;
import io.hyphae.rpc.wire.RpcMessage.Reply;
import io.hyphae.rpc.wire.RpcMessage.Request;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O shell around the RPC state machines ({@link MulticallTable}, {@link CastOrdering}):
 * it reads the clock, runs the timers, sends through the {@link Messaging} port, runs handlers
 * on the handler executor and completes the callers' futures.
 *
 * <p>The state machines see one event at a time: every event (a caller's call, an inbound
 * frame, a link loss, a departure, a timer) enters them under one short lock, which is never
 * held while a handler runs or a future completes. Ports are called under it only where their
 * contract says they do not block (send and broadcast), so the casts of this node leave in the
 * order they were numbered.
 */
public final class RpcNode implements Rpc, Messaging.Inbound {

    private static final Logger log = LoggerFactory.getLogger(RpcNode.class);

    // Origins whose cast order is tracked at once; past it casts from new origins are dropped.
    // Far above any cluster size hyphae targets; it only stops a flood of invented origins.
    private static final int MAX_CAST_ORIGINS = 65_536;

    // Longer timeouts are cut to this, so deadlines stay far from overflowing a long of nanoseconds.
    private static final Duration MAX_TIMEOUT = Duration.ofDays(1);

    private final Optional<HyphaeNode> node;
    private final MembershipView membership;
    private final Messaging messaging;
    private final RpcConfig config;
    private final NodeId self;
    private final RpcMetrics metrics;
    private final HandlerRegistry handlers = new HandlerRegistry();
    private final Set<String> castHandlersWarned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Executor executor;
    private final Optional<ThreadPoolExecutor> ownPool;
    private final ScheduledThreadPoolExecutor timer;
    private final CastLanes lanes;
    private final long epochNanos = System.nanoTime();

    private final Object lock = new Object();
    // Guarded by lock.
    private final MulticallTable table;
    private final CastOrdering ordering;
    private final Map<Long, PendingCall<?>> pending = new HashMap<>();
    private final Map<NodeId, Long> directSeq = new HashMap<>();
    // Receivers of direct casts since the last broadcast, with the last number each got: the
    // next broadcast carries them as marks so those receivers keep the two in send order.
    private final Map<NodeId, Long> directsSinceBroadcast = new LinkedHashMap<>();
    private long broadcastSeq;
    private long lateAnswersReported;
    private ScheduledFuture<?> castTick;
    private long castTickAt;
    // Written under lock; volatile so the inbound path can drop frames after close without taking it.
    private volatile boolean closed;

    public RpcNode(MembershipView membership, Messaging messaging, RpcConfig config, MeterRegistry meters) {
        this(membership, messaging, config, meters, Optional.empty());
    }

    /**
     * @param node the membership node this RPC layer runs on and owns (left and closed by
     *     {@link #close()}), or empty when built on ports alone
     */
    public RpcNode(MembershipView membership, Messaging messaging, RpcConfig config, MeterRegistry meters,
                   Optional<HyphaeNode> node) {
        this.node = node;
        this.membership = membership;
        this.messaging = messaging;
        this.config = config;
        this.self = membership.self();
        this.metrics = new RpcMetrics(meters);
        this.timer = new ScheduledThreadPoolExecutor(1, daemonThreads("hyphae-rpc-timer"));
        timer.setRemoveOnCancelPolicy(true); // a call that completes early must not leave its timeout behind
        if (config.handlerExecutor().isPresent()) {
            this.executor = config.handlerExecutor().get();
            this.ownPool = Optional.empty();
        } else {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(config.handlerThreads(), config.handlerThreads(),
                    60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(config.handlerQueueCapacity()),
                    daemonThreads("hyphae-rpc-handler"), new ThreadPoolExecutor.AbortPolicy());
            this.executor = pool;
            this.ownPool = Optional.of(pool);
        }
        this.table = new MulticallTable(config.maxOutstandingCalls());
        this.ordering = new CastOrdering(DirectMark.keyOf(self), config.reorderWindow(), config.gapTimeout().toNanos(), MAX_CAST_ORIGINS,
                new CastOrdering.Listener() {
                    @Override
                    public void dropped(CastOrdering.Drop why) {
                        metrics.castDropped(why == CastOrdering.Drop.DUPLICATE ? CastDrop.DUPLICATE : CastDrop.UNKNOWN_ORIGIN);
                    }

                    @Override
                    public void skipped(long count) {
                        metrics.castsSkipped(count);
                        log.debug("gave up {} cast(s) as lost", count);
                    }
                });
        this.lanes = new CastLanes(executor, timer, config.castQueueCapacity(), this::deliverCast);
        registerGauges(meters);
        membership.onMemberDown(this::memberDown);
        messaging.bind(this);
    }

    // ---------------------------------------------------------------- registration

    @Override
    public NodeId self() {
        return self;
    }

    @Override
    public HyphaeNode node() {
        return node.orElseThrow(() -> new IllegalStateException(
                "this RPC layer was created on ports (Rpc.create), not started on a HyphaeNode"));
    }

    @Override
    public <Q, R> Registration register(Endpoint<Q, R> endpoint, Handler<Q, R> handler) {
        return handlers.add(endpoint.name(), new CallEntry<>(endpoint, java.util.Objects.requireNonNull(handler, "handler")));
    }

    @Override
    public <M> Registration subscribe(Topic<M> topic, CastHandler<M> handler) {
        return handlers.add(topic.name(), new CastEntry<>(topic, java.util.Objects.requireNonNull(handler, "handler")));
    }

    // ---------------------------------------------------------------- calls

    @Override
    public <Q, R> MulticallResult<R> multicall(Endpoint<Q, R> endpoint, Q request, Duration timeout) {
        return join(multicallAsync(endpoint, request, timeout));
    }

    @Override
    public <Q, R> MulticallResult<R> multicall(Collection<NodeId> targets, Endpoint<Q, R> endpoint, Q request, Duration timeout) {
        return join(multicallAsync(targets, endpoint, request, timeout));
    }

    @Override
    public <Q, R> CompletableFuture<MulticallResult<R>> multicallAsync(Endpoint<Q, R> endpoint, Q request, Duration timeout) {
        return multicallAsync(membership.liveMembers(), endpoint, request, timeout);
    }

    @Override
    public <Q, R> CompletableFuture<MulticallResult<R>> multicallAsync(
            Collection<NodeId> targets, Endpoint<Q, R> endpoint, Q request, Duration timeout) {
        if (timeout.isNegative()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("timeout must not be negative, was " + timeout));
        }
        byte[] payload;
        try {
            payload = encodePayload(endpoint.requestCodec(), request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        long timeoutNanos = timeout.compareTo(MAX_TIMEOUT) > 0 ? MAX_TIMEOUT.toNanos() : timeout.toNanos();
        Set<NodeId> members = membership.liveMembers();
        long start = now();
        PendingCall<R> call = new PendingCall<>(endpoint.replyCodec(), start);
        Opened opened;
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new RpcException("RPC is closed"));
            }
            try {
                opened = table.open(targets, members, start + timeoutNanos);
            } catch (RpcLimitExceededException e) {
                metrics.rejectedOutstanding();
                return CompletableFuture.failedFuture(e);
            }
            if (opened.completedAtOnce().isEmpty()) {
                pending.put(opened.callId(), call);
            }
        }
        if (opened.completedAtOnce().isPresent()) {
            call.complete(opened.completedAtOnce().get());
            return call.future;
        }
        try {
            call.timeout = timer.schedule(this::tickCalls, timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // close() raced this call and has failed it already, or is about to
        }
        Request message = new Request(opened.callId(), endpoint.name(), payload);
        for (NodeId target : opened.sendTo()) {
            if (target.equals(self)) {
                serveRequest(self, message);
            } else if (send(target, message) == SendOutcome.UNREACHABLE) {
                answer(target, opened.callId(), Reason.UNREACHABLE, "not reachable");
            }
        }
        return call.future;
    }

    @Override
    public <Q, R> R call(NodeId node, Endpoint<Q, R> endpoint, Q request, Duration timeout) {
        return join(callAsync(node, endpoint, request, timeout));
    }

    @Override
    public <Q, R> CompletableFuture<R> callAsync(NodeId node, Endpoint<Q, R> endpoint, Q request, Duration timeout) {
        return multicallAsync(List.of(node), endpoint, request, timeout).thenApply(result -> {
            Optional<R> reply = result.replyFrom(node);
            if (reply.isPresent()) {
                return reply.get();
            }
            throw new RemoteCallException(result.badNodes().get(0));
        });
    }

    // ---------------------------------------------------------------- casts

    @Override
    public <M> void abcast(Topic<M> topic, M message) {
        Set<NodeId> members = membership.liveMembers();
        if (members.size() <= config.directAbcastMaxMembers()) {
            // Small cluster: one frame per member keeps every receiver's stream in TCP order,
            // with none of Plumtree's lazy repair under load (docs/rpc.md, "abcast to all").
            abcast(members, topic, message);
            return;
        }
        byte[] payload = encodePayload(topic.codec(), message);
        synchronized (lock) {
            requireOpen();
            List<DirectMark> marks = new ArrayList<>(directsSinceBroadcast.size());
            directsSinceBroadcast.forEach((node, seq) -> marks.add(new DirectMark(DirectMark.keyOf(node), seq)));
            long size = payload.length + (long) marks.size() * DirectMark.BYTES;
            if (size > config.maxPayloadBytes()) {
                metrics.rejectedPayload();
                throw new RpcLimitExceededException("payload of " + payload.length + " bytes plus " + marks.size()
                        + " ordering marks (direct casts since the last abcast) is over maxPayloadBytes (" + config.maxPayloadBytes() + ")");
            }
            directsSinceBroadcast.clear();
            Broadcast cast = new Broadcast(self, ++broadcastSeq, marks, topic.name(), payload);
            enqueueLocal(cast);
            try {
                messaging.broadcast(cast);
            } catch (RuntimeException e) {
                log.warn("broadcast of {} failed in the messaging layer", cast, e);
            }
        }
        metrics.castSent(true);
    }

    @Override
    public <M> void abcast(Collection<NodeId> targets, Topic<M> topic, M message) {
        byte[] payload = encodePayload(topic.codec(), message);
        Set<NodeId> members = membership.liveMembers();
        int sent = 0;
        int unreachable = 0;
        int notMembers = 0;
        // One lock for the whole fan-out (not one per target): abcast to all in a small cluster
        // comes here for every cast, and W3 showed the per-target lock and set copies in profiles.
        synchronized (lock) {
            requireOpen();
            for (NodeId target : targets instanceof Set<?> ? targets : new LinkedHashSet<>(targets)) {
                if (!members.contains(target)) {
                    notMembers++;
                    continue;
                }
                sent++;
                if (target.equals(self)) {
                    // The own share needs no numbering: it is queued now, in send order.
                    enqueueLocal(new DirectCast(self, 1, broadcastSeq, topic.name(), payload));
                } else {
                    long seq = directSeq.merge(target, 1L, Long::sum);
                    directsSinceBroadcast.put(target, seq);
                    if (send(target, new DirectCast(self, seq, broadcastSeq, topic.name(), payload)) == SendOutcome.UNREACHABLE) {
                        unreachable++;
                    }
                }
            }
        }
        metrics.castsSent(sent);
        metrics.castsDropped(CastDrop.NOT_A_MEMBER, notMembers);
        metrics.castsDropped(CastDrop.UNREACHABLE, unreachable);
    }

    @Override
    public <M> void cast(NodeId node, Topic<M> topic, M message) {
        abcast(List.of(node), topic, message);
    }

    // ---------------------------------------------------------------- inbound

    @Override
    public void received(NodeId from, RpcMessage message) {
        if (closed) {
            return;
        }
        if (message instanceof Request r) {
            serveRequest(from, r);
        } else if (message instanceof Reply r) {
            List<PendingCall<?>> calls;
            synchronized (lock) {
                Optional<Completed> done = table.onReply(from, r.callId(), r.payload());
                reportLateAnswers();
                calls = takeCalls(done.stream().toList());
            }
            completeAll(calls);
        } else if (message instanceof ErrorReply e) {
            answer(from, e.callId(), e.reason(), e.detail());
        } else {
            Cast cast = (Cast) message;
            if (cast instanceof DirectCast && !cast.origin().equals(from)) {
                // Direct casts come straight from their origin; anything else is forged or misrouted.
                metrics.castDropped(CastDrop.WRONG_ORIGIN);
                return;
            }
            synchronized (lock) {
                if (!closed) {
                    enqueueAll(ordering.onCast(cast, now()));
                    scheduleCastTick();
                }
            }
        }
    }

    @Override
    public void linkLost(NodeId node) {
        nodeGone(node, Reason.UNREACHABLE, "link lost");
    }

    private void memberDown(NodeId node, Departure how) {
        if (how == Departure.LEFT) {
            nodeGone(node, Reason.LEFT, "left the cluster");
        } else {
            nodeGone(node, Reason.UNREACHABLE, "member down: failed");
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            ordering.onOriginDown(node, now());
            directSeq.remove(node);
            directsSinceBroadcast.remove(node);
            scheduleCastTick();
        }
        // The lane outlives the ordering's grace period, so casts still travelling find it.
        long laneGraceNanos = 3 * config.gapTimeout().toNanos();
        try {
            timer.schedule(() -> lanes.remove(node), laneGraceNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // stopped meanwhile
        }
    }

    private void nodeGone(NodeId node, Reason reason, String detail) {
        List<PendingCall<?>> calls;
        synchronized (lock) {
            calls = takeCalls(table.onNodeGone(node, reason, Optional.of(detail)));
        }
        completeAll(calls);
    }

    // ---------------------------------------------------------------- serving

    private void serveRequest(NodeId from, Request request) {
        Optional<Entry> entry = handlers.lookup(request.name());
        if (entry.isEmpty()) {
            respond(from, ErrorReply.of(request.callId(), Reason.NO_SUCH_HANDLER, "no handler '" + request.name() + "' on " + self));
            return;
        }
        if (!(entry.get() instanceof CallEntry<?, ?> handler)) {
            respond(from, ErrorReply.of(request.callId(), Reason.NO_SUCH_HANDLER,
                    "'" + request.name() + "' on " + self + " takes casts only"));
            return;
        }
        try {
            executor.execute(() -> respond(from, runHandler(from, request, handler)));
        } catch (RejectedExecutionException e) {
            metrics.handlerOverloaded();
            respond(from, ErrorReply.of(request.callId(), Reason.OVERLOADED, "handler queue full on " + self));
        }
    }

    private <Q, R> RpcMessage runHandler(NodeId from, Request request, CallEntry<Q, R> entry) {
        byte[] reply;
        try {
            Q q = entry.endpoint().requestCodec().decode(request.payload());
            R r = entry.handler().handle(from, q);
            if (r == null) {
                throw new IllegalStateException("handler '" + request.name() + "' returned null");
            }
            reply = entry.endpoint().replyCodec().encode(r);
        } catch (Exception e) {
            metrics.handlerThrew();
            log.debug("handler '{}' threw for a call from {}", request.name(), from, e);
            return ErrorReply.of(request.callId(), Reason.HANDLER_THREW, describe(e));
        }
        if (reply.length > config.maxPayloadBytes()) {
            metrics.handlerThrew();
            return ErrorReply.of(request.callId(), Reason.HANDLER_THREW, "reply of " + reply.length
                    + " bytes is over maxPayloadBytes (" + config.maxPayloadBytes() + ")");
        }
        return new Reply(request.callId(), reply);
    }

    private void respond(NodeId to, RpcMessage answer) {
        if (to.equals(self)) {
            received(self, answer); // this node's own share of a multicall
        } else if (send(to, answer) == SendOutcome.UNREACHABLE) {
            log.debug("could not answer {}: not reachable; its call will report it", to);
        }
    }

    private void deliverCast(Cast cast) {
        Optional<Entry> entry = handlers.lookup(cast.name());
        if (entry.isEmpty()) {
            metrics.castDropped(CastDrop.NO_HANDLER);
            return;
        }
        try {
            if (entry.get() instanceof CastEntry<?> c) {
                runCast(c, cast);
            } else {
                runCallAsCast((CallEntry<?, ?>) entry.get(), cast);
            }
            metrics.castDelivered();
        } catch (Exception e) {
            metrics.castDelivered();
            metrics.handlerThrew();
            // Nobody else hears of it, so say it loudly once per handler; then the meter counts it.
            if (castHandlersWarned.add(cast.name())) {
                log.warn("cast handler '{}' threw on a cast from {} (further failures of it are logged at debug)",
                        cast.name(), cast.origin(), e);
            } else {
                log.debug("cast handler '{}' threw on a cast from {}", cast.name(), cast.origin(), e);
            }
        }
    }

    private static <M> void runCast(CastEntry<M> entry, Cast cast) throws Exception {
        entry.handler().handle(cast.origin(), entry.topic().codec().decode(cast.payload()));
    }

    /** A cast to a request/reply handler runs it and drops the reply, as Erlang's cast to a call handler would be pointless to refuse. */
    private static <Q, R> void runCallAsCast(CallEntry<Q, R> entry, Cast cast) throws Exception {
        entry.handler().handle(cast.origin(), entry.endpoint().requestCodec().decode(cast.payload()));
    }

    // ---------------------------------------------------------------- completion

    private final class PendingCall<R> {
        final CompletableFuture<MulticallResult<R>> future = new CompletableFuture<>();
        final RpcCodec<R> replyCodec;
        final long startNanos;
        volatile ScheduledFuture<?> timeout;
        Completed completedWith;

        PendingCall(RpcCodec<R> replyCodec, long startNanos) {
            this.replyCodec = replyCodec;
            this.startNanos = startNanos;
        }

        void complete(Completed done) {
            ScheduledFuture<?> t = timeout;
            if (t != null) {
                t.cancel(false);
            }
            Map<NodeId, R> replies = new LinkedHashMap<>();
            List<BadNode> bad = new ArrayList<>(done.badNodes());
            for (Map.Entry<NodeId, byte[]> e : done.replies().entrySet()) {
                try {
                    R value = replyCodec.decode(e.getValue());
                    if (value == null) {
                        throw new IllegalArgumentException("reply codec decoded null");
                    }
                    replies.put(e.getKey(), value);
                } catch (RuntimeException ex) {
                    bad.add(BadNode.of(e.getKey(), Reason.BAD_REPLY, describe(ex)));
                }
            }
            metrics.multicallDone(startNanos, now(), replies.size(), bad);
            future.complete(new MulticallResult<>(replies, bad));
        }
    }

    /** {@code from} is answered for {@code callId} without a reply. */
    private void answer(NodeId from, long callId, Reason reason, String detail) {
        List<PendingCall<?>> calls;
        synchronized (lock) {
            Optional<Completed> done = table.onError(from, callId, reason, Optional.of(detail));
            reportLateAnswers();
            calls = takeCalls(done.stream().toList());
        }
        completeAll(calls);
    }

    private void tickCalls() {
        List<PendingCall<?>> calls;
        synchronized (lock) {
            calls = takeCalls(table.onTick(now()));
        }
        completeAll(calls);
    }

    /** Under the lock: removes the waiting callers of {@code done}, each carrying its completion. */
    private List<PendingCall<?>> takeCalls(List<Completed> done) {
        List<PendingCall<?>> calls = new ArrayList<>(done.size());
        for (Completed c : done) {
            PendingCall<?> call = pending.remove(c.callId());
            if (call != null) {
                call.completedWith = c;
                calls.add(call);
            }
        }
        return calls;
    }

    private static void completeAll(List<PendingCall<?>> calls) {
        for (PendingCall<?> call : calls) {
            call.complete(call.completedWith);
        }
    }

    private void reportLateAnswers() {
        long late = table.lateAnswers();
        metrics.lateAnswers(late - lateAnswersReported);
        lateAnswersReported = late;
    }

    // ---------------------------------------------------------------- casts, internals

    /** Under the lock. */
    private void enqueueLocal(Cast cast) {
        if (!lanes.offer(cast)) {
            metrics.castDropped(CastDrop.QUEUE_FULL);
        }
    }

    /** Under the lock. */
    private void enqueueAll(List<Cast> deliverable) {
        for (Cast c : deliverable) {
            enqueueLocal(c);
        }
    }

    /** Under the lock: makes sure a timer runs when the earliest cast gap or grace period ends. */
    private void scheduleCastTick() {
        OptionalLong next = ordering.nextDeadline();
        if (next.isEmpty() || (castTick != null && castTickAt <= next.getAsLong())) {
            return;
        }
        if (castTick != null) {
            castTick.cancel(false);
        }
        castTickAt = next.getAsLong();
        castTick = timer.schedule(this::tickCasts, Math.max(0, castTickAt - now()), TimeUnit.NANOSECONDS);
    }

    private void tickCasts() {
        synchronized (lock) {
            castTick = null;
            if (closed) {
                return;
            }
            enqueueAll(ordering.onTick(now()));
            scheduleCastTick();
        }
    }

    // ---------------------------------------------------------------- helpers

    private SendOutcome send(NodeId to, RpcMessage message) {
        try {
            return messaging.send(to, message);
        } catch (RuntimeException e) {
            log.warn("messaging layer failed to take a frame for {}; treating {} as unreachable", to, to, e);
            return SendOutcome.UNREACHABLE;
        }
    }

    private <T> byte[] encodePayload(RpcCodec<T> codec, T value) {
        byte[] bytes;
        try {
            bytes = codec.encode(value);
        } catch (RuntimeException e) {
            throw new RpcException("payload did not encode: " + describe(e), e);
        }
        if (bytes.length > config.maxPayloadBytes()) {
            metrics.rejectedPayload();
            throw new RpcLimitExceededException("payload of " + bytes.length + " bytes is over maxPayloadBytes ("
                    + config.maxPayloadBytes() + ")");
        }
        return bytes;
    }

    private void requireOpen() {
        if (closed) {
            throw new RpcException("RPC is closed");
        }
    }

    private long now() {
        // The state machines want a monotonic scale that does not wrap: nanoseconds since start.
        return System.nanoTime() - epochNanos;
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getName() : e.getClass().getName() + ": " + e.getMessage();
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private void registerGauges(MeterRegistry meters) {
        Gauge.builder("hyphae.rpc.multicall.outstanding", this, n -> n.outstanding())
                .description("calls from this node waiting for answers").register(meters);
        Gauge.builder("hyphae.rpc.handler.queue.depth", this, n -> n.handlerQueueDepth())
                .description("requests and cast batches waiting for a handler thread").register(meters);
        Gauge.builder("hyphae.rpc.abcast.queue.depth", lanes, CastLanes::queued)
                .description("casts ordered and waiting for their handler").register(meters);
        Gauge.builder("hyphae.rpc.abcast.held", this, n -> n.heldCasts())
                .description("casts held back waiting for an earlier missing one").register(meters);
    }

    private double outstanding() {
        synchronized (lock) {
            return table.outstanding();
        }
    }

    private double heldCasts() {
        synchronized (lock) {
            return ordering.held();
        }
    }

    private double handlerQueueDepth() {
        return executor instanceof ThreadPoolExecutor pool ? pool.getQueue().size() : Double.NaN;
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        // Leave first, so the others stop calling this node before its calls are failed here.
        node.ifPresent(HyphaeNode::leave);
        List<PendingCall<?>> calls;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            calls = new ArrayList<>(pending.values());
            pending.clear();
        }
        for (PendingCall<?> call : calls) {
            call.future.completeExceptionally(new RpcException("RPC closed while the call was outstanding"));
        }
        timer.shutdownNow();
        ownPool.ifPresent(ThreadPoolExecutor::shutdownNow);
        node.ifPresent(HyphaeNode::close);
    }
}

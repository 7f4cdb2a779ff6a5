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
import io.hyphae.rpc.wire.RpcMessage.CastBatch;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O shell around the RPC state machines ({@link MulticallTable}, {@link CastOrdering}):
 * it reads the clock, runs the timers, sends through the {@link Messaging} port, runs handlers
 * on the handler executor and completes the callers' futures.
 *
 * <p><b>Threading.</b> The state machines and the bookkeeping around them (waiting callers, cast
 * numbering) live on one thread, the {@link RpcLoop}: the node's event loop when the messaging
 * port offers it, so inbound frames reach the state without a hand-off. No lock. Callers'
 * threads check what they can alone (arguments, payload size, the outstanding bound), encode
 * the payload and hand the rest to the loop as a command; inbound frames from another thread
 * are handed over the same way. Casts to one receiver gathered in one loop turn leave in one
 * frame ({@link CastOutbox}). Handlers never run on the loop: they run on the handler executor,
 * and their replies go straight to the messaging port from there.
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
    private final RpcMetrics metrics;
    private final HandlerRegistry handlers = new HandlerRegistry();
    private final Set<String> castHandlersWarned = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Executor executor;
    private final Optional<HandlerPool> ownPool;
    private final RpcLoop loop;
    private final CastLanes lanes;
    private final long epochNanos = System.nanoTime();
    // Calls accepted and not yet completed, counted on the callers' side so a call past
    // maxOutstandingCalls is refused at once, before it reaches the loop.
    private final AtomicInteger accepted = new AtomicInteger();

    // Loop thread only.
    private final MulticallTable table;
    private final CastOrdering ordering;
    private final CastOutbox outbox;
    private final RpcLoop.Deadline callDeadline;
    private final RpcLoop.Deadline castDeadline;
    private final Map<Long, PendingCall<?>> pending = new HashMap<>();
    // This node's identity as the loop last saw it: a rejoin in place (after a false DOWN) gives
    // the node its next incarnation between two turns, and the casts it sends from then on are
    // a new origin's, numbered afresh (see followIdentity).
    private NodeId self;
    private final DirectNumbering directs;
    // This node's own share of the casts of one turn, in send order: handed to its lane in one
    // run at the end of the turn, not one offer per cast.
    private List<Cast> ownShare = new ArrayList<>();
    private long broadcastSeq;
    private long lateAnswersReported;
    // Written on the loop, read by the gauges' thread.
    private volatile int outstandingSeen;
    private volatile int heldSeen;
    // Written on the loop (and by close); volatile so callers and the inbound path drop work after close.
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
        if (config.handlerExecutor().isPresent()) {
            this.executor = config.handlerExecutor().get();
            this.ownPool = Optional.empty();
        } else {
            HandlerPool pool = new HandlerPool(config.handlerThreads(), config.handlerQueueCapacity(), "hyphae-rpc-handler");
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
        this.outbox = new CastOutbox(this::send, (to, n) -> metrics.castsDropped(CastDrop.UNREACHABLE, n));
        this.directs = new DirectNumbering(outbox::batchFor);
        this.loop = new RpcLoop(messaging.eventLoop(), this::followIdentity, this::endOfTurn);
        this.callDeadline = loop.new Deadline(this::now, this::tickCalls);
        this.castDeadline = loop.new Deadline(this::now, this::tickCasts);
        this.lanes = new CastLanes(executor, loop::schedule,
                config.castQueueCapacity(), this::deliverCast);
        registerGauges(meters);
        membership.onMemberDown(this::memberDown);
        messaging.bind(this);
    }

    // ---------------------------------------------------------------- registration

    /** This node's identity now: a rejoin after a false DOWN changes its incarnation. */
    @Override
    public NodeId self() {
        return membership.self();
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
        return startCall(null, endpoint, request, timeout);
    }

    @Override
    public <Q, R> CompletableFuture<MulticallResult<R>> multicallAsync(
            Collection<NodeId> targets, Endpoint<Q, R> endpoint, Q request, Duration timeout) {
        // The loop reads the targets later: keep a copy the caller cannot change meanwhile.
        return startCall(List.copyOf(new LinkedHashSet<>(targets)), endpoint, request, timeout);
    }

    /** @param targets the nodes to call, or null for every live member (read on the loop) */
    private <Q, R> CompletableFuture<MulticallResult<R>> startCall(
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
        if (closed) {
            return CompletableFuture.failedFuture(new RpcException("RPC is closed"));
        }
        if (accepted.incrementAndGet() > config.maxOutstandingCalls()) {
            accepted.decrementAndGet();
            metrics.rejectedOutstanding();
            return CompletableFuture.failedFuture(new RpcLimitExceededException("over maxOutstandingCalls ("
                    + config.maxOutstandingCalls() + ") calls are waiting for answers"));
        }
        long timeoutNanos = timeout.compareTo(MAX_TIMEOUT) > 0 ? MAX_TIMEOUT.toNanos() : timeout.toNanos();
        long start = now();
        PendingCall<R> call = new PendingCall<>(endpoint.replyCodec(), start);
        Request message = new Request(0, endpoint.name(), payload);
        if (!loop.submit(() -> open(targets, message, start + timeoutNanos, call))) {
            call.fail(new RpcLimitExceededException("over " + RpcLoop.MAX_QUEUED + " calls and casts are waiting for the RPC loop"));
        }
        return call.future;
    }

    /** On the loop: opens the call in the table and sends its requests. */
    private void open(Collection<NodeId> targets, Request message, long deadline, PendingCall<?> call) {
        if (closed) {
            call.fail(new RpcException("RPC is closed"));
            return;
        }
        Set<NodeId> members = membership.liveMembers();
        Opened opened;
        try {
            opened = table.open(targets == null ? members : targets, members, deadline);
        } catch (RpcLimitExceededException e) {
            metrics.rejectedOutstanding();
            call.fail(e);
            return;
        }
        if (opened.completedAtOnce().isPresent()) {
            call.complete(opened.completedAtOnce().get());
            return;
        }
        pending.put(opened.callId(), call);
        callDeadline.ensure(table.nextDeadline());
        Request request = new Request(opened.callId(), message.name(), message.payload());
        for (NodeId target : opened.sendTo()) {
            if (target.equals(self)) {
                serveRequest(self, request);
            } else if (send(target, request) == SendOutcome.UNREACHABLE) {
                answer(target, opened.callId(), Reason.UNREACHABLE, "not reachable");
            }
        }
    }

    @Override
    public <Q, R> R call(NodeId node, Endpoint<Q, R> endpoint, Q request, Duration timeout) {
        return join(callAsync(node, endpoint, request, timeout));
    }

    @Override
    public <Q, R> CompletableFuture<R> callAsync(NodeId node, Endpoint<Q, R> endpoint, Q request, Duration timeout) {
        return startCall(List.of(node), endpoint, request, timeout).thenApply(result -> {
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
            // The snapshot is immutable, so the loop may read it later as it is.
            cast(members, topic, message);
            return;
        }
        byte[] payload = encodePayload(topic.codec(), message);
        // The marks the broadcast will carry are known only on the loop; at most one per other
        // member, so a payload with room for that many is refused here or never.
        long marksBound = (long) (members.size() - 1) * DirectMark.BYTES;
        if (payload.length + marksBound > config.maxPayloadBytes()) {
            metrics.rejectedPayload();
            throw new RpcLimitExceededException("payload of " + payload.length + " bytes plus room for " + (members.size() - 1)
                    + " ordering marks (one per other member) is over maxPayloadBytes (" + config.maxPayloadBytes() + ")");
        }
        requireOpen();
        submitCast(() -> broadcastOnLoop(topic.name(), payload));
        metrics.castSent(true);
    }

    /** On the loop: numbers and sends one broadcast, with the marks of the direct casts since the last. */
    private void broadcastOnLoop(String name, byte[] payload) {
        if (closed) {
            return;
        }
        List<DirectMark> marks = directs.marks();
        if (payload.length + (long) marks.size() * DirectMark.BYTES > config.maxPayloadBytes()) {
            // Members joined between the caller's check and now; rare, and said loudly.
            metrics.rejectedPayload();
            log.warn("abcast '{}' of {} bytes dropped: with {} ordering marks it is over maxPayloadBytes ({})",
                    name, payload.length, marks.size(), config.maxPayloadBytes());
            return;
        }
        directs.marksSent();
        Broadcast cast = new Broadcast(self, ++broadcastSeq, marks, name, payload);
        enqueueOwn(cast);
        // Direct casts gathered before it must leave first (a receiver's marks point at them).
        outbox.flushAll();
        try {
            messaging.broadcast(cast);
        } catch (RuntimeException e) {
            log.warn("broadcast of {} failed in the messaging layer", cast, e);
        }
    }

    @Override
    public <M> void abcast(Collection<NodeId> targets, Topic<M> topic, M message) {
        // The loop reads the targets later: keep a copy the caller cannot change meanwhile.
        cast(List.copyOf(new LinkedHashSet<>(targets)), topic, message);
    }

    @Override
    public <M> void cast(NodeId node, Topic<M> topic, M message) {
        cast(List.of(node), topic, message);
    }

    /** @param targets distinct, and not changed after this call */
    private <M> void cast(Collection<NodeId> targets, Topic<M> topic, M message) {
        byte[] payload = encodePayload(topic.codec(), message);
        requireOpen();
        submitCast(() -> castOnLoop(targets, topic.name(), payload));
    }

    private void submitCast(Runnable onLoop) {
        if (!loop.submit(onLoop)) {
            metrics.castDropped(CastDrop.QUEUE_FULL);
            throw new RpcLimitExceededException("over " + RpcLoop.MAX_QUEUED + " calls and casts are waiting for the RPC loop");
        }
    }

    /** On the loop: numbers one direct cast per target and gathers it for its receiver's next frame. */
    private void castOnLoop(Collection<NodeId> targets, String name, byte[] payload) {
        if (closed) {
            return;
        }
        DirectNumbering.Fanout fanout = directs.resolve(targets, membership.liveMembers(), self);
        if (fanout.self()) {
            // The own share needs no numbering: it is queued now, in send order.
            enqueueOwn(new DirectCast(self, self.incarnation(), 1, broadcastSeq, name, payload));
        }
        for (DirectNumbering.Receiver r : fanout.others()) {
            outbox.add(r.outbox, new DirectCast(self, r.node.incarnation(), directs.next(r), broadcastSeq, name, payload));
        }
        metrics.castsSent(fanout.others().size() + (fanout.self() ? 1 : 0));
        metrics.castsDropped(CastDrop.NOT_A_MEMBER, fanout.notMembers());
    }

    // ---------------------------------------------------------------- inbound

    @Override
    public void received(NodeId from, RpcMessage message) {
        if (closed) {
            return;
        }
        if (message instanceof Request r) {
            serveRequest(from, r); // needs no state: straight to the handler executor
        } else if (!loop.run(() -> receivedOnLoop(from, message))) {
            log.debug("RPC frame from {} dropped: the RPC loop is full or stopped", from);
        }
    }

    private void receivedOnLoop(NodeId from, RpcMessage message) {
        if (closed) {
            return;
        }
        if (message instanceof Reply r) {
            Optional<Completed> done = table.onReply(from, r.callId(), r.payload());
            reportLateAnswers();
            done.ifPresent(this::completed);
        } else if (message instanceof ErrorReply e) {
            answer(from, e.callId(), e.reason(), e.detail());
        } else if (message instanceof CastBatch batch) {
            if (!batch.origin().equals(from)) {
                metrics.castsDropped(CastDrop.WRONG_ORIGIN, batch.casts().size());
                return;
            }
            if (batch.toIncarnation() != self.incarnation()) {
                metrics.castsDropped(CastDrop.WRONG_RECEIVER, batch.casts().size());
                return;
            }
            long now = now();
            List<Cast> deliverable = new ArrayList<>(batch.casts().size());
            for (DirectCast cast : batch.casts()) {
                ordering.onCast(cast, now, deliverable);
            }
            enqueueAll(deliverable);
            castDeadline.ensure(ordering.nextDeadline());
        } else if (message instanceof Cast cast) {
            if (cast instanceof DirectCast d) {
                if (!d.origin().equals(from)) {
                    // Direct casts come straight from their origin; anything else is forged or misrouted.
                    metrics.castDropped(CastDrop.WRONG_ORIGIN);
                    return;
                }
                if (d.toIncarnation() != self.incarnation()) {
                    // Numbered for this node's previous incarnation (sent before it rejoined, read
                    // after): its number means nothing in the sequence the origin starts afresh.
                    metrics.castDropped(CastDrop.WRONG_RECEIVER);
                    return;
                }
            }
            enqueueAll(ordering.onCast(cast, now()));
            castDeadline.ensure(ordering.nextDeadline());
        }
    }

    @Override
    public void linkLost(NodeId node) {
        loop.run(() -> nodeGone(node, Reason.UNREACHABLE, "link lost"));
    }

    private void memberDown(NodeId node, Departure how) {
        loop.run(() -> {
            if (closed) {
                return;
            }
            nodeGone(node, how == Departure.LEFT ? Reason.LEFT : Reason.UNREACHABLE,
                    how == Departure.LEFT ? "left the cluster" : "member down: failed");
            ordering.onOriginDown(node, now());
            directs.forget(node);
            outbox.forget(node);
            castDeadline.ensure(ordering.nextDeadline());
            dropLaneOnceForgotten(node);
        });
    }

    /**
     * Drops a departed origin's lane once the ordering has forgotten it, so casts still
     * delivered to it find the lane (a node declared down by mistake casts until it rejoins).
     */
    private void dropLaneOnceForgotten(NodeId node) {
        try {
            loop.schedule(() -> {
                if (ordering.tracks(node)) {
                    dropLaneOnceForgotten(node);
                } else {
                    lanes.remove(node);
                }
            }, 3 * config.gapTimeout().toNanos());
        } catch (RejectedExecutionException closing) {
            // stopped meanwhile
        }
    }

    /** On the loop. */
    private void nodeGone(NodeId node, Reason reason, String detail) {
        table.onNodeGone(node, reason, Optional.of(detail)).forEach(this::completed);
    }

    // ---------------------------------------------------------------- serving

    private void serveRequest(NodeId from, Request request) {
        Optional<Entry> entry = handlers.lookup(request.name());
        if (entry.isEmpty()) {
            respond(from, ErrorReply.of(request.callId(), Reason.NO_SUCH_HANDLER, "no handler '" + request.name() + "' on " + self()));
            return;
        }
        if (!(entry.get() instanceof CallEntry<?, ?> handler)) {
            respond(from, ErrorReply.of(request.callId(), Reason.NO_SUCH_HANDLER,
                    "'" + request.name() + "' on " + self() + " takes casts only"));
            return;
        }
        try {
            executor.execute(() -> respond(from, runHandler(from, request, handler)));
        } catch (RejectedExecutionException e) {
            metrics.handlerOverloaded();
            respond(from, ErrorReply.of(request.callId(), Reason.OVERLOADED, "handler queue full on " + self()));
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

    /**
     * From any thread: an answer goes straight to the port (or, for this node's own share, to the
     * loop, as from the incarnation the call named, even if the node rejoined meanwhile).
     */
    private void respond(NodeId to, RpcMessage answer) {
        if (to.sameNodeAs(self())) {
            received(to, answer); // this node's own share of a multicall
        } else if (sendNow(to, answer) == SendOutcome.UNREACHABLE) {
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

    /** A caller waiting for its multicall; completed once, from the loop (or by close). */
    private final class PendingCall<R> {
        final CompletableFuture<MulticallResult<R>> future = new CompletableFuture<>();
        final RpcCodec<R> replyCodec;
        final long startNanos;

        PendingCall(RpcCodec<R> replyCodec, long startNanos) {
            this.replyCodec = replyCodec;
            this.startNanos = startNanos;
        }

        void complete(Completed done) {
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
            accepted.decrementAndGet();
            future.complete(new MulticallResult<>(replies, bad));
        }

        void fail(RuntimeException why) {
            accepted.decrementAndGet();
            future.completeExceptionally(why);
        }
    }

    /** On the loop: {@code from} is answered for {@code callId} without a reply. */
    private void answer(NodeId from, long callId, Reason reason, String detail) {
        Optional<Completed> done = table.onError(from, callId, reason, Optional.of(detail));
        reportLateAnswers();
        done.ifPresent(this::completed);
    }

    private void tickCalls() {
        table.onTick(now()).forEach(this::completed);
        callDeadline.ensure(table.nextDeadline());
    }

    /** On the loop: hands a finished call to its waiting caller. */
    private void completed(Completed done) {
        PendingCall<?> call = pending.remove(done.callId());
        if (call != null) {
            call.complete(done);
        }
    }

    private void reportLateAnswers() {
        long late = table.lateAnswers();
        metrics.lateAnswers(late - lateAnswersReported);
        lateAnswersReported = late;
    }

    // ---------------------------------------------------------------- casts, internals

    /** On the loop: this node's own share of a cast, queued for its lane at the end of the turn. */
    private void enqueueOwn(Cast cast) {
        ownShare.add(cast);
    }

    /** On the loop; {@code deliverable} is not changed afterwards. */
    private void enqueueAll(List<Cast> deliverable) {
        metrics.castsDropped(CastDrop.QUEUE_FULL, lanes.offerAll(deliverable));
    }

    private void tickCasts() {
        if (closed) {
            return;
        }
        enqueueAll(ordering.onTick(now()));
        castDeadline.ensure(ordering.nextDeadline());
    }

    /**
     * Before every turn of the loop: if the node rejoined as its next incarnation since the last
     * turn (the cluster had declared it down by mistake), the RPC layer becomes that incarnation.
     * To the others it is a new origin of casts: its broadcasts and its direct casts to each
     * receiver are numbered from 1 again (the receivers forget the old origin's numbers, see
     * {@link CastOrdering}). And as a receiver it has a new mark key, and the others number
     * their direct casts to it afresh. Nothing gathered is lost: the outbox is empty between turns.
     */
    private void followIdentity() {
        NodeId now = membership.self();
        if (now.equals(self)) {
            return;
        }
        log.info("RPC follows this node's new incarnation: {} (was {})", now, self);
        self = now;
        broadcastSeq = 0;
        directs.reset();
        enqueueAll(ordering.onSelfRenewed(DirectMark.keyOf(now)));
        castDeadline.ensure(ordering.nextDeadline());
    }

    /** After every turn of the loop: the gathered casts leave (and this node's share is queued), and the gauges see the new state. */
    private void endOfTurn() {
        if (!ownShare.isEmpty()) {
            enqueueAll(ownShare);
            ownShare = new ArrayList<>();
        }
        outbox.flushAll();
        outstandingSeen = table.outstanding();
        heldSeen = ordering.held();
    }

    // ---------------------------------------------------------------- helpers

    /** On the loop: a frame to {@code to} goes after the casts gathered for it. */
    private SendOutcome send(NodeId to, RpcMessage message) {
        if (!(message instanceof DirectCast || message instanceof CastBatch)) {
            outbox.flush(to);
        }
        return sendNow(to, message);
    }

    private SendOutcome sendNow(NodeId to, RpcMessage message) {
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
        Gauge.builder("hyphae.rpc.multicall.outstanding", this, n -> n.outstandingSeen)
                .description("calls from this node waiting for answers").register(meters);
        Gauge.builder("hyphae.rpc.handler.queue.depth", this, n -> n.handlerQueueDepth())
                .description("requests and cast batches waiting for a handler thread").register(meters);
        Gauge.builder("hyphae.rpc.abcast.queue.depth", lanes, CastLanes::queued)
                .description("casts ordered and waiting for their handler").register(meters);
        Gauge.builder("hyphae.rpc.abcast.held", this, n -> n.heldSeen)
                .description("casts held back waiting for an earlier missing one").register(meters);
        Gauge.builder("hyphae.rpc.loop.queue.depth", loop, RpcLoop::queued)
                .description("calls and casts handed to the RPC loop and not yet taken").register(meters);
    }

    private double handlerQueueDepth() {
        return ownPool.map(p -> (double) p.waiting()).orElse(Double.NaN);
    }

    @Override
    public void close() {
        // Leave first, so the others stop calling this node before its calls are failed here.
        node.ifPresent(HyphaeNode::leave);
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable closeOnLoop = () -> {
            closeState();
            loop.runQueued();
            done.complete(null);
        };
        if (loop.inLoop()) {
            closeOnLoop.run();
        } else {
            try {
                loop.schedule(closeOnLoop, 0);
                done.get(10, TimeUnit.SECONDS);
            } catch (RejectedExecutionException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // The loop is gone (its node's resources were closed first): nothing runs on it any more.
                closeState();
                loop.runQueued();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        loop.shutdown();
        ownPool.ifPresent(HandlerPool::shutdownNow);
        node.ifPresent(HyphaeNode::close);
    }

    /** Marks this RPC layer closed and fails every waiting caller; on the loop, or once the loop is gone. */
    private void closeState() {
        if (closed) {
            return;
        }
        closed = true;
        callDeadline.cancel();
        castDeadline.cancel();
        List<PendingCall<?>> calls = new ArrayList<>(pending.values());
        pending.clear();
        for (PendingCall<?> call : calls) {
            call.fail(new RpcException("RPC closed while the call was outstanding"));
        }
    }
}

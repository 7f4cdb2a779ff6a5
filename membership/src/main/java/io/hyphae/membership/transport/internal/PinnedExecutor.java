package io.hyphae.membership.transport.internal;

import io.netty.channel.EventLoop;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A transport's event loop as the users of {@code Transport.executor()} see it: they may run and
 * schedule work on it, but not shut it down, since other transports share it. How late each task
 * scheduled through it (the protocols' timers) starts is the loop's {@link LoopLag}.
 */
final class PinnedExecutor extends AbstractExecutorService implements ScheduledExecutorService {

    private final EventLoop loop;
    private final LoopLag lag;

    PinnedExecutor(EventLoop loop, LoopLag lag) {
        this.loop = loop;
        this.lag = lag;
    }

    @Override
    public void execute(Runnable command) {
        loop.execute(command);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        long due = System.nanoTime() + unit.toNanos(delay);
        return loop.schedule(() -> {
            lag.started(due);
            command.run();
        }, delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return loop.schedule(callable, delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return loop.scheduleAtFixedRate(command, initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return loop.scheduleWithFixedDelay(command, initialDelay, delay, unit);
    }

    @Override
    public void shutdown() {
        throw new UnsupportedOperationException("a transport's executor is shared; close the TransportResources instead");
    }

    @Override
    public List<Runnable> shutdownNow() {
        throw new UnsupportedOperationException("a transport's executor is shared; close the TransportResources instead");
    }

    @Override
    public boolean isShutdown() {
        return loop.isShuttingDown();
    }

    @Override
    public boolean isTerminated() {
        return loop.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return loop.awaitTermination(timeout, unit);
    }
}

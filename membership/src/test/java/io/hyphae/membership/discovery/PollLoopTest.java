package io.hyphae.membership.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PollLoopTest {

    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);

    PollLoopTest() {
        scheduler.setRemoveOnCancelPolicy(true); // a cancelled poll leaves the queue at once
    }

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    @Test
    void pollsAgainAfterTheDelayEachPollReturns() {
        AtomicInteger polls = new AtomicInteger();

        try (PollLoop loop = new PollLoop(scheduler)) {
            loop.start(() -> {
                polls.incrementAndGet();
                return Duration.ofMillis(1);
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> polls.get() >= 3);
        }
    }

    @Test
    void aClosedLoopLeavesNoPollScheduled() {
        AtomicInteger polls = new AtomicInteger();
        PollLoop loop = new PollLoop(scheduler);
        loop.start(() -> {
            polls.incrementAndGet();
            return Duration.ofHours(1);
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> polls.get() == 1);

        loop.close();

        // the next poll, an hour away, was cancelled: nothing is left queued to run (awaited:
        // the poll that just ran may be scheduling that next one as close() runs, and cancels it
        // itself then)
        await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.getQueue().isEmpty());
        assertThat(polls.get()).isEqualTo(1);
    }

    @Test
    void aFirstPollThatRanBeforeStartReturnedLeavesNothingScheduledAfterClose() {
        // Given a scheduler that runs the first poll before submit returns (a thread may do just that)
        ScheduledThreadPoolExecutor eager = new ScheduledThreadPoolExecutor(1) {
            @Override
            public Future<?> submit(Runnable task) {
                task.run();
                return CompletableFuture.completedFuture(null);
            }
        };
        eager.setRemoveOnCancelPolicy(true);
        try {
            AtomicInteger polls = new AtomicInteger();
            PollLoop loop = new PollLoop(eager);
            loop.start(() -> {
                polls.incrementAndGet();
                return Duration.ofHours(1);
            });
            assertThat(eager.getQueue()).hasSize(1); // the poll after it, an hour away

            // When the loop is closed
            loop.close();

            // Then that next poll is cancelled, not left behind the first one's finished future
            assertThat(eager.getQueue()).isEmpty();
            assertThat(polls.get()).isEqualTo(1);
        } finally {
            eager.shutdownNow();
        }
    }

    @Test
    void aLoopClosedBeforeItStartsNeverPolls() {
        AtomicInteger polls = new AtomicInteger();
        PollLoop loop = new PollLoop(scheduler);

        loop.close();
        loop.start(() -> {
            polls.incrementAndGet();
            return Duration.ofMillis(1);
        });

        // the one task start() queued returns at once; once it has run, nothing is left to run
        await().atMost(Duration.ofSeconds(10)).until(() -> scheduler.getCompletedTaskCount() == 1);
        assertThat(scheduler.getQueue()).isEmpty();
        assertThat(polls.get()).isZero();
    }
}

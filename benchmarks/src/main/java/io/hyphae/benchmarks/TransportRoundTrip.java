package io.hyphae.benchmarks;

import io.hyphae.membership.ClusterSecret;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.faults.FaultSyntax;
import io.hyphae.membership.transport.SendResult;
import io.hyphae.membership.transport.Transport;
import io.hyphae.membership.transport.TransportConfig;
import io.hyphae.testkit.ChildProcess;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * T1: two nodes in two JVMs on 127.0.0.1 over the real transport (handshake, framing, meters).
 * First 64-byte pings, one at a time, each echoed as a pong (round-trip latency); then a
 * pipelined one-way stream of 64-byte messages, closed by a marker the echo side answers once
 * it has them all (rate). The caller drives both phases from its transport's executor, as a
 * protocol core would, so no thread hand-off is measured.
 */
final class TransportRoundTrip {

    static final String ECHO_KEY = "T1-echo";
    private static final ClusterSecret SECRET = ClusterSecret.of("hyphae benchmark secret, not for production");
    private static final int PAYLOAD_BYTES = 64;
    /** Messages sent per executor turn in the stream; larger batches fewer tasks, smaller lets reads in sooner. */
    private static final int STREAM_BATCH = 512;

    private TransportRoundTrip() {
    }

    static void run(String[] args) throws Exception {
        int warmup = intOption(args, "--warmup", 5_000);
        int roundTrips = intOption(args, "--round-trips", 20_000);
        int streamed = intOption(args, "--stream", 1_000_000);

        ChildProcess echo = startEcho();
        try {
            int port = Integer.parseInt(echo.await("PORT ", Duration.ofSeconds(60)).text().substring(5).trim());
            try (Transport transport = Transport.start(TransportConfig.local("bench", SECRET), "t1-caller", new SimpleMeterRegistry())) {
                // --fault RULE: the caller's transport judges every frame by it (docs/fault-injection.md),
                // for the cost of the fault injector when it is on; a rule for protocol 99 touches
                // the link but acts on no frame of it.
                stringOption(args, "--fault").ifPresent(rule -> transport.faults().add(FaultSyntax.parse(rule)));
                Driver driver = new Driver(transport);
                transport.register(BenchMessage.Codec.INSTANCE, driver::onMessage);
                NodeId peer = transport.connect(new HostAndPort("127.0.0.1", port)).get(10, TimeUnit.SECONDS);

                Histogram rtt = driver.roundTrips(peer, warmup, roundTrips).get(5, TimeUnit.MINUTES);
                driver.stream(peer, streamed / 5).get(5, TimeUnit.MINUTES); // warm-up
                long nanos = driver.stream(peer, streamed).get(5, TimeUnit.MINUTES);

                System.out.printf(Locale.ROOT, "T1 rtt_p50_us=%.1f rtt_p99_us=%.1f msgs_per_s=%d%n",
                        rtt.getValueAtPercentile(50) / 1000.0, rtt.getValueAtPercentile(99) / 1000.0,
                        Math.round(streamed / (nanos / 1e9)));
            }
        } finally {
            echo.closeInput(); // the echo JVM exits when its stdin closes
            if (echo.waitFor(Duration.ofSeconds(10)).isEmpty()) {
                echo.killHard();
            }
        }
    }

    static void echo() throws Exception {
        Transport transport = Transport.start(TransportConfig.local("bench", SECRET), "t1-echo", new SimpleMeterRegistry());
        long[] received = {0};
        transport.register(BenchMessage.Codec.INSTANCE, (from, m) -> {
            if (m instanceof BenchMessage.Ping p) {
                transport.send(from, new BenchMessage.Pong(p.payload()));
            } else if (m instanceof BenchMessage.Stream) {
                received[0]++;
            } else if (m instanceof BenchMessage.StreamEnd) {
                transport.send(from, new BenchMessage.StreamDone(received[0]));
                received[0] = 0;
            }
        });
        System.out.println("PORT " + transport.self().address().port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the caller to go away
        }
        transport.close();
        System.exit(0);
    }

    private static ChildProcess startEcho() {
        List<String> jvm = new ArrayList<>();
        String logLevel = System.getProperty("org.slf4j.simpleLogger.defaultLogLevel");
        if (logLevel != null) {
            jvm.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=" + logLevel);
        }
        return ChildProcess.startJava("t1-echo", System.getProperty("java.class.path"), jvm, Main.class.getName(),
                List.of(ECHO_KEY), Map.of(), ProcessBuilder.Redirect.INHERIT, line -> { });
    }

    private static Optional<String> stringOption(String[] args, String name) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return Optional.of(args[i + 1]);
            }
        }
        return Optional.empty();
    }

    static int intOption(String[] args, String name, int fallback) {
        return stringOption(args, name).map(Integer::parseInt).orElse(fallback);
    }

    /** Both phases as state machines on the transport's executor. */
    private static final class Driver {
        private final Transport transport;
        private final byte[] payload = new byte[PAYLOAD_BYTES];
        private NodeId peer;

        private Histogram histogram;
        private int warmupLeft;
        private int measureLeft;
        private long sentAt;
        private CompletableFuture<Histogram> roundTripsDone;

        private long toStream;
        private long streamedSoFar;
        private long streamStart;
        private CompletableFuture<Long> streamDone;

        Driver(Transport transport) {
            this.transport = transport;
        }

        CompletableFuture<Histogram> roundTrips(NodeId to, int warmup, int measured) {
            roundTripsDone = new CompletableFuture<>();
            transport.executor().execute(() -> {
                peer = to;
                histogram = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
                warmupLeft = warmup;
                measureLeft = measured;
                ping();
            });
            return roundTripsDone;
        }

        CompletableFuture<Long> stream(NodeId to, long count) {
            streamDone = new CompletableFuture<>();
            transport.executor().execute(() -> {
                peer = to;
                toStream = count;
                streamedSoFar = 0;
                streamStart = System.nanoTime();
                pump();
            });
            return streamDone;
        }

        void onMessage(NodeId from, BenchMessage m) {
            if (m instanceof BenchMessage.Pong) {
                long elapsed = System.nanoTime() - sentAt;
                if (warmupLeft > 0) {
                    warmupLeft--;
                } else {
                    histogram.recordValue(Math.min(elapsed, histogram.getHighestTrackableValue()));
                    measureLeft--;
                }
                if (measureLeft == 0) {
                    roundTripsDone.complete(histogram);
                } else {
                    ping();
                }
            } else if (m instanceof BenchMessage.StreamDone d) {
                long elapsed = System.nanoTime() - streamStart;
                if (d.received() != toStream) {
                    streamDone.completeExceptionally(new IllegalStateException(
                            "echo side received " + d.received() + " of " + toStream + " streamed messages"));
                } else {
                    streamDone.complete(elapsed);
                }
            }
        }

        private void ping() {
            sentAt = System.nanoTime();
            if (transport.send(peer, new BenchMessage.Ping(payload)) != SendResult.QUEUED) {
                roundTripsDone.completeExceptionally(new IllegalStateException("ping not queued"));
            }
        }

        /** Sends a batch, then yields the executor so the socket is read and flushed between batches. */
        private void pump() {
            for (int i = 0; i < STREAM_BATCH && streamedSoFar < toStream; i++) {
                SendResult r = transport.send(peer, new BenchMessage.Stream(payload));
                if (r == SendResult.DROPPED_BACKPRESSURE) {
                    // the outbound queue is full: retry this message once the socket had time to drain
                    transport.executor().schedule(this::pump, 50, TimeUnit.MICROSECONDS);
                    return;
                } else if (r != SendResult.QUEUED) {
                    streamDone.completeExceptionally(new IllegalStateException("stream send failed: " + r));
                    return;
                }
                streamedSoFar++;
            }
            if (streamedSoFar < toStream) {
                transport.executor().execute(this::pump);
            } else {
                transport.send(peer, new BenchMessage.StreamEnd());
            }
        }
    }
}

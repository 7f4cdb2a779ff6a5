package io.hyphae.strategy.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodList;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.PodResource;
import io.hyphae.membership.Backoff;
import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoveryStrategy;
import io.hyphae.membership.discovery.SeedListener;
import io.hyphae.membership.discovery.SeedTracker;
import io.hyphae.strategy.kubernetes.internal.ApiFailures;
import io.hyphae.strategy.kubernetes.internal.PodSeeds;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seeds from the pods that match a label selector, kept current by list-then-watch.
 *
 * <p>One cycle lists the pods, then watches from the list's resource version; every event
 * updates the pod map and reports the full seed set (the tracker passes it on only when it
 * changed). A cycle ends, and a fresh list starts one again, when the watch closes (at once
 * after HTTP 410 Gone, otherwise after a backoff on consecutive drops), when a call fails (after
 * the tracker's backoff, keeping the last good seeds) or every {@code resync} interval. Relisting
 * rather than resuming the watch costs one list per drop but can never miss a change, and the
 * client's own silent reconnects and retries are turned off so every failure is seen and
 * counted here.
 *
 * <p>Fabric8 delivers watch events on its own threads and the node's scheduler runs the lists;
 * all state is guarded by this object's monitor.
 */
public final class KubernetesStrategy implements DiscoveryStrategy {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesStrategy.class);
    private static final String NAME = "kubernetes";

    private final KubernetesSettings settings;
    private final String namespace;
    private final Config clientConfig;
    private final DiscoveryContext context;
    private final PodSeeds podSeeds;
    private final Backoff dropBackoff = Backoff.DEFAULT;

    private volatile boolean closed;
    private volatile KubernetesClient client;
    private SeedTracker tracker;
    private Watch watch;
    private long cycle;
    private int consecutiveDrops;
    private ScheduledFuture<?> nextList;
    private Map<String, Pod> pods = new HashMap<>();
    private final Set<String> warnedUnusable = new HashSet<>();
    private String failure;

    /**
     * @param namespace the namespace to watch, already resolved
     * @param clientConfig how to reach the API server; the strategy turns off the client's own
     *     request retries and watch reconnects in a copy, since it retries itself
     */
    public KubernetesStrategy(KubernetesSettings settings, String namespace, Config clientConfig, DiscoveryContext context) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        this.context = Objects.requireNonNull(context, "context");
        this.clientConfig = new ConfigBuilder(Objects.requireNonNull(clientConfig, "clientConfig"))
                .withRequestRetryBackoffLimit(0)
                .withWatchReconnectLimit(0)
                .build();
        this.podSeeds = new PodSeeds(settings, namespace);
    }

    @Override
    public synchronized void start(SeedListener listener) {
        if (tracker != null) {
            throw new IllegalStateException("already started");
        }
        tracker = new SeedTracker(NAME, listener, context, Backoff.DEFAULT);
        client = new KubernetesClientBuilder().withConfig(clientConfig).build();
        LOG.info("discovery '{}': pods matching '{}' in namespace '{}' at {}, port {}, address mode {}{}",
                NAME, settings.selector(), namespace, clientConfig.getMasterUrl(), settings.port(),
                settings.addressMode().configName(), settings.readyOnly() ? ", ready pods only" : "");
        scheduleList(Duration.ZERO);
    }

    /** Why the last call to the API server failed, while it is failing; empty when healthy. */
    public synchronized Optional<String> failure() {
        return Optional.ofNullable(failure);
    }

    /** The namespace being watched. */
    public String namespace() {
        return namespace;
    }

    @Override
    public void close() {
        closed = true;
        // Closing the client first aborts a list in flight, which holds the monitor.
        KubernetesClient c = client;
        if (c != null) {
            c.close();
        }
        synchronized (this) {
            if (nextList != null) {
                nextList.cancel(false);
            }
            stopWatch();
        }
    }

    private synchronized void listAndWatch() {
        if (closed) {
            return;
        }
        stopWatch();
        long thisCycle = ++cycle;
        PodList list;
        try {
            list = selectedPods().list();
        } catch (RuntimeException e) {
            fail(ApiFailures.describe("list", namespace, clientConfig.getMasterUrl(), e), e);
            return;
        }
        try {
            watch = selectedPods().watch(list.getMetadata().getResourceVersion(), new PodWatcher(thisCycle));
        } catch (RuntimeException e) {
            // Seeds from a list that cannot be followed would go stale unseen: keep the last good.
            fail(ApiFailures.describe("watch", namespace, clientConfig.getMasterUrl(), e), e);
            return;
        }
        Map<String, Pod> fresh = new HashMap<>();
        for (Pod pod : list.getItems()) {
            fresh.put(pod.getMetadata().getName(), pod);
        }
        pods = fresh;
        failure = null;
        publish();
        scheduleList(settings.resync());
    }

    private synchronized void onEvent(long eventCycle, Watcher.Action action, Pod pod) {
        if (eventCycle != cycle || closed) {
            return; // from a watch this strategy already replaced
        }
        consecutiveDrops = 0;
        switch (action) {
            case ADDED, MODIFIED -> pods.put(pod.getMetadata().getName(), pod);
            case DELETED -> pods.remove(pod.getMetadata().getName());
            default -> {
                return; // BOOKMARK and ERROR carry no pod change
            }
        }
        publish();
    }

    private synchronized void onWatchClosed(long closedCycle, WatcherException cause) {
        if (closedCycle != cycle || closed) {
            return;
        }
        watch = null;
        // 410 Gone means the resource version is too old: only a new list can help, so list now.
        Duration delay = cause.isHttpGone()
                ? Duration.ZERO
                : dropBackoff.delay(consecutiveDrops++, ThreadLocalRandom.current());
        LOG.debug("discovery '{}': watch closed ({}); listing again in {}", NAME, cause.getMessage(), delay);
        scheduleList(delay);
    }

    private void publish() {
        Set<HostAndPort> seeds = new HashSet<>();
        Set<String> unusable = new HashSet<>();
        for (Pod pod : pods.values()) {
            String name = pod.getMetadata().getName();
            if (name.equals(context.self().name())) {
                continue; // this node's own pod
            }
            PodSeeds.Outcome outcome = podSeeds.of(pod);
            if (outcome instanceof PodSeeds.Outcome.Seed s && !s.address().equals(context.self().address())) {
                seeds.add(s.address());
            } else if (outcome instanceof PodSeeds.Outcome.Unusable u) {
                unusable.add(name);
                if (warnedUnusable.add(name)) {
                    LOG.warn("discovery '{}': {}", NAME, u.reason());
                }
            }
        }
        warnedUnusable.retainAll(unusable);
        tracker.succeeded(seeds);
    }

    private void fail(String reason, RuntimeException e) {
        if (closed) {
            return; // the client was closed under a call in flight
        }
        stopWatch();
        failure = reason;
        scheduleList(tracker.failed(reason, e));
    }

    private void scheduleList(Duration delay) {
        if (nextList != null) {
            nextList.cancel(false);
        }
        try {
            nextList = context.scheduler().schedule(this::listAndWatchSafely, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            LOG.debug("discovery '{}': scheduler shut down, stopping", NAME);
        }
    }

    private void listAndWatchSafely() {
        try {
            listAndWatch();
        } catch (RuntimeException e) {
            // A bug must not end discovery for good: count it, keep the last seeds, try again.
            LOG.error("discovery '{}': unexpected error while following pods", NAME, e);
            synchronized (this) {
                fail("unexpected error while following pods: " + e, e);
            }
        }
    }

    private void stopWatch() {
        if (watch != null) {
            watch.close();
            watch = null;
        }
    }

    private FilterWatchListDeletable<Pod, PodList, PodResource> selectedPods() {
        return client.pods().inNamespace(namespace).withLabelSelector(settings.selector());
    }

    private final class PodWatcher implements Watcher<Pod> {
        private final long watchCycle;

        PodWatcher(long watchCycle) {
            this.watchCycle = watchCycle;
        }

        @Override
        public void eventReceived(Action action, Pod pod) {
            onEvent(watchCycle, action, pod);
        }

        @Override
        public void onClose(WatcherException cause) {
            onWatchClosed(watchCycle, cause);
        }
    }
}

package io.hyphae.strategy.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.ByteString;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fabric8's mock API server in CRUD mode on 127.0.0.1, reached over real HTTP, with three things
 * a real cluster can do to a client: refuse a verb with 403 (a missing RBAC rule), drop every
 * open watch, and be counted (how many lists and watches it served).
 */
final class MockApiServer implements AutoCloseable {

    static final String NAMESPACE = "hyphae-test";

    private final KubernetesCrudDispatcher crud = new KubernetesCrudDispatcher();
    private final Set<String> forbiddenVerbs = ConcurrentHashMap.newKeySet();
    private final Set<WebSocket> openWatches = ConcurrentHashMap.newKeySet();
    private final AtomicInteger lists = new AtomicInteger();
    private final AtomicInteger watches = new AtomicInteger();
    private final KubernetesMockServer server;
    private final NamespacedKubernetesClient admin;

    MockApiServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return MockApiServer.this.dispatch(request);
            }
        }, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        admin = server.createClient();
    }

    private MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        boolean podCollection = "GET".equals(request.getMethod()) && path.startsWith("/api/v1/namespaces/")
                && path.split("\\?")[0].endsWith("/pods");
        if (!podCollection) {
            return crud.dispatch(request);
        }
        String verb = path.contains("watch=true") ? "watch" : "list";
        (verb.equals("watch") ? watches : lists).incrementAndGet();
        if (forbiddenVerbs.contains(verb)) {
            return forbidden(verb);
        }
        MockResponse response = crud.dispatch(request);
        if (response.getWebSocketListener() != null) {
            response.withWebSocketUpgrade(new TrackedWatch(response.getWebSocketListener()));
        }
        return response;
    }

    /** The body and code a real API server sends when RBAC denies the call. */
    private static MockResponse forbidden(String verb) {
        String user = "system:serviceaccount:" + NAMESPACE + ":hyphae";
        return new MockResponse().setResponseCode(403).setHeader("Content-Type", "application/json").setBody(
                "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                        + "\"message\":\"pods is forbidden: User \\\"" + user + "\\\" cannot " + verb
                        + " resource \\\"pods\\\" in API group \\\"\\\" in the namespace \\\"" + NAMESPACE + "\\\"\","
                        + "\"reason\":\"Forbidden\",\"details\":{\"kind\":\"pods\"},\"code\":403}");
    }

    /** Makes the server answer {@code verb} (list or watch) on pods with 403 until {@link #allow}. */
    void forbid(String verb) {
        forbiddenVerbs.add(verb);
    }

    void allow(String verb) {
        forbiddenVerbs.remove(verb);
    }

    /** Closes every open watch from the server side, as an API server restart or timeout does. */
    void dropWatches() {
        for (WebSocket ws : Set.copyOf(openWatches)) {
            ws.close(1001, "going away");
        }
    }

    int lists() {
        return lists.get();
    }

    int watches() {
        return watches.get();
    }

    int openWatches() {
        return openWatches.size();
    }

    NamespacedKubernetesClient admin() {
        return admin;
    }

    String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** A kubeconfig file pointing at this server, with the test namespace in its context when asked. */
    Path kubeconfig(Path dir, boolean withNamespace) throws IOException {
        String yaml = String.join("\n",
                "apiVersion: v1",
                "kind: Config",
                "clusters:",
                "- name: mock",
                "  cluster:",
                "    server: " + url(),
                "contexts:",
                "- name: mock",
                "  context:",
                "    cluster: mock",
                "    user: tester",
                withNamespace ? "    namespace: " + NAMESPACE : "",
                "current-context: mock",
                "users:",
                "- name: tester",
                "  user:",
                "    token: not-checked-by-the-mock",
                "");
        return Files.writeString(dir.resolve(withNamespace ? "kubeconfig" : "kubeconfig-no-namespace"), yaml);
    }

    /** Creates a running pod with {@code ip} and a container port named hyphae (7946). */
    Pod createPod(String name, String ip, boolean ready, Map<String, String> labels) {
        Pod created = admin.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(NAMESPACE).withLabels(labels).endMetadata()
                .withNewSpec().addNewContainer().withName("node").withImage("hyphae")
                .withPorts(new ContainerPortBuilder().withName("hyphae").withContainerPort(7946).build(),
                        new ContainerPortBuilder().withName("http").withContainerPort(8080).build())
                .endContainer().endSpec()
                .build()).create();
        return setStatus(created, ip, ready);
    }

    /** Sets the pod's IP and Ready condition through the status subresource, as the kubelet does. */
    Pod setStatus(Pod pod, String ip, boolean ready) {
        Pod withStatus = new PodBuilder(pod).withNewStatus().withPhase("Running").withPodIP(ip)
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False").build())
                .endStatus().build();
        return admin.pods().inNamespace(NAMESPACE).resource(withStatus).updateStatus();
    }

    Pod setReady(String name, boolean ready) {
        Pod pod = admin.pods().inNamespace(NAMESPACE).withName(name).get();
        return setStatus(pod, pod.getStatus().getPodIP(), ready);
    }

    Pod relabel(String name, Map<String, String> labels) {
        return admin.pods().inNamespace(NAMESPACE).withName(name)
                .edit(p -> new PodBuilder(p).editMetadata().withLabels(labels).endMetadata().build());
    }

    void deletePod(String name) {
        admin.pods().inNamespace(NAMESPACE).withName(name).delete();
    }

    @Override
    public void close() {
        admin.close();
        server.destroy();
    }

    /** Passes everything to the CRUD dispatcher's watch, remembering the socket so it can be dropped. */
    private final class TrackedWatch extends WebSocketListener {
        private final WebSocketListener delegate;

        TrackedWatch(WebSocketListener delegate) {
            this.delegate = delegate;
        }

        @Override
        public void onBeforeAccept(WebSocket ws, Response response) {
            delegate.onBeforeAccept(ws, response);
        }

        @Override
        public void onOpen(WebSocket ws, Response response) {
            openWatches.add(ws);
            delegate.onOpen(ws, response);
        }

        @Override
        public void onMessage(WebSocket ws, String text) {
            delegate.onMessage(ws, text);
        }

        @Override
        public void onMessage(WebSocket ws, ByteString bytes) {
            delegate.onMessage(ws, bytes);
        }

        @Override
        public void onMessage(WebSocket ws, byte[] bytes) {
            delegate.onMessage(ws, bytes);
        }

        @Override
        public void onClosing(WebSocket ws, int code, String reason) {
            openWatches.remove(ws);
            delegate.onClosing(ws, code, reason);
        }

        @Override
        public void onClosed(WebSocket ws, int code, String reason) {
            openWatches.remove(ws);
            delegate.onClosed(ws, code, reason);
        }

        @Override
        public void onFailure(WebSocket ws, Throwable t, Response response) {
            openWatches.remove(ws);
            delegate.onFailure(ws, t, response);
        }
    }
}

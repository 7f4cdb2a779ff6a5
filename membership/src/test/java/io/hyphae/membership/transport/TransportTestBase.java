package io.hyphae.membership.transport;

import io.hyphae.membership.ClusterSecret;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * What the transport tests share: one event-loop group per test class (on the best engine here;
 * a subclass hides {@link #group()} to choose another), and every node a test starts, closed
 * after it.
 */
abstract class TransportTestBase {

    static final ClusterSecret SECRET = ClusterSecret.of("correct horse battery staple");
    static TransportResources resources;
    final List<Node> nodes = new ArrayList<>();

    @BeforeAll
    static void group() {
        resources = TransportResources.create(2, IoEngine.best());
    }

    @AfterAll
    static void stopGroup() {
        resources.close();
    }

    @AfterEach
    void closeNodes() {
        nodes.forEach(Node::close);
    }

    /** A node on this class's loops, closed after the test. */
    Node node(String name, TransportConfig config) {
        Node n = new Node(name, config, resources);
        nodes.add(n);
        return n;
    }
}

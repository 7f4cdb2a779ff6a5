package io.hyphae.membership.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.testkit.ChildProcess;
import java.lang.ProcessBuilder.Redirect;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Which I/O engine the transport's loops run on. The transport's behaviour on each is tested by
 * {@link TransportTest} and {@link GracefulCloseTest} (the best engine here) and their NIO
 * subclasses.
 */
class IoEngineTest {

    @Test
    @EnabledOnOs(OS.LINUX)
    @EnabledIfSystemProperty(named = "os.arch", matches = "amd64|x86_64")
    void onLinuxOnX86TheLoopsRunOnEpoll() {
        // Given this machine, for which the native epoll library ships with hyphae
        // When resources are made without naming an engine
        try (TransportResources resources = TransportResources.create(1)) {
            // Then they run on epoll: if the native library failed to load, this is where it shows
            assertThat(IoEngine.EPOLL.unavailableBecause()).isEqualTo("available");
            assertThat(resources.engine()).isEqualTo(IoEngine.EPOLL);
        }
    }

    @Test
    void withoutTheNativeTransportTheLoopsFallBackToNioAndAskingForEpollSaysWhy() throws Exception {
        // Given a JVM in which Netty's native transports are switched off
        try (ChildProcess child = ChildProcess.startJava("no-native", System.getProperty("java.class.path"),
                List.of("-Dio.netty.transport.noNative=true", "-XX:TieredStopAtLevel=1"), EngineReport.class.getName(),
                List.of(), Map.of(), Redirect.DISCARD, line -> { })) {
            // When it makes resources without an engine, and then asks for epoll by name
            ChildProcess.Line best = child.await("best=", Duration.ofSeconds(30));
            ChildProcess.Line epoll = child.await("epoll=", Duration.ofSeconds(30));

            // Then the first run on NIO and carry a message, and the second is refused with the reason
            assertThat(best.text()).isEqualTo("best=NIO carried=hello");
            assertThat(epoll.text()).startsWith("epoll=refused: I/O engine EPOLL is not available: ")
                    .contains("noNative");
        }
    }

    /** The child of the fallback test: reports what it got on standard output. */
    static final class EngineReport {
        public static void main(String[] args) throws Exception {
            try (TransportResources resources = TransportResources.create(1)) {
                Node a = new Node("a", TransportConfig.local("test", TransportTestBase.SECRET), resources);
                Node b = new Node("b", TransportConfig.local("test", TransportTestBase.SECRET), resources);
                a.transport.connect(b.id().address()).get();
                a.transport.send(b.id(), new Chat.Text("hello"));
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (b.texts().isEmpty() && System.nanoTime() < deadline) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                }
                System.out.println("best=" + resources.engine() + " carried=" + String.join(",", b.texts()));
                a.close();
                b.close();
            }
            try (TransportResources epoll = TransportResources.create(1, IoEngine.EPOLL)) {
                System.out.println("epoll=made " + epoll.engine());
            } catch (IllegalStateException e) {
                System.out.println("epoll=refused: " + e.getMessage());
            }
        }
    }
}

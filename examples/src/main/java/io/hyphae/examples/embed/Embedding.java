package io.hyphae.examples.embed;

import io.hyphae.membership.MembershipListener;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.directory.DownReason;
import io.hyphae.rpc.Endpoint;
import io.hyphae.rpc.MulticallResult;
import io.hyphae.rpc.Rpc;
import io.hyphae.rpc.RpcCodec;
import io.hyphae.rpc.Topic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * README's embedding example, compiled and run by a test so it cannot rot: listen for members
 * and register a handler before joining, multicall it, abcast. {@code java -cp hyphae-examples-all.jar
 * io.hyphae.examples.embed.Embedding hyphae.yaml}
 */
public final class Embedding {

    private Embedding() {
    }

    public static void main(String[] args) throws InterruptedException {
        // --- README example starts here
        HyphaeConfig config = HyphaeConfig.load(Path.of(args[0]));
        Endpoint<String, String> greet = Endpoint.of("greet", RpcCodec.utf8());
        Topic<String> news = Topic.of("news", RpcCodec.utf8());
        CountDownLatch heard = new CountDownLatch(1);
        try (Rpc rpc = Rpc.start(config, r -> {                 // set up first; then it joins in the background
            r.node().addListener(new MembershipListener() {
                @Override public void memberUp(NodeId m) { System.out.println(m + " up"); }
                @Override public void memberDown(NodeId m, DownReason why) { System.out.println(m + " down: " + why); }
            });
            r.register(greet, (caller, name) -> "hello " + name + " from " + r.self().name());
            r.subscribe(news, (sender, text) -> { System.out.println(sender.name() + " says " + text); heard.countDown(); });
        })) {
            MulticallResult<String> result = rpc.multicall(greet, "world", Duration.ofSeconds(2));   // every live member
            result.replies().values().forEach(System.out::println);
            result.badNodes().forEach(bad -> System.out.println(bad.node() + ": " + bad.reason()));
            rpc.abcast(news, "I am here");                      // every live member, this one included
            heard.await(5, TimeUnit.SECONDS);
        }                                                       // leaves the cluster gracefully
        // --- README example ends here
    }
}

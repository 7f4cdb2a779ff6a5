package io.hyphae.strategy.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyphae.membership.HostAndPort;
import io.hyphae.membership.NodeId;
import io.hyphae.membership.config.DiscoveryConfig;
import io.hyphae.membership.config.HyphaeConfig;
import io.hyphae.membership.discovery.DiscoveryContext;
import io.hyphae.membership.discovery.DiscoverySeeds;
import io.hyphae.membership.discovery.DiscoveryStrategies;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every file in examples/config/ whose strategies are on this module's test class path (static
 * and dns) loads, and its strategies accept their blocks. Files naming other strategies are
 * skipped here: the modules of those strategies are where they can be checked.
 */
class ExampleConfigsTest {

    private static final Path EXAMPLES = Path.of(System.getProperty("basedir", "."), "../../examples/config").normalize();
    private static final Pattern STRATEGY = Pattern.compile("^\\s*-\\s*strategy:\\s*(\\S+)", Pattern.MULTILINE);
    private static final Map<String, String> ENV = Map.of("HYPHAE_SECRET", "example-secret-of-enough-bytes");

    @TestFactory
    Stream<DynamicTest> everyExampleWithKnownStrategiesLoads() throws IOException {
        return examples().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
            Set<String> missing = strategiesNamedIn(file);
            missing.removeAll(DiscoveryStrategies.available(getClass().getClassLoader()).keySet());
            Assumptions.assumeTrue(missing.isEmpty(), "strategies not on this class path: " + missing);

            HyphaeConfig config = HyphaeConfig.load(file, ENV);
            ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
            try (DiscoverySeeds seeds = DiscoverySeeds.create(config, context(scheduler), getClass().getClassLoader())) {
                assertThat(seeds.size()).isEqualTo(config.discovery().size()).isPositive();
            } finally {
                scheduler.shutdownNow();
            }
        }));
    }

    @Test
    void theStaticAndDnsExamplesAreAmongThoseChecked() throws IOException {
        // Guards the test above against passing by skipping everything.
        assertThat(examples()).extracting(p -> p.getFileName().toString()).contains("static.yaml", "dns.yaml");
        HyphaeConfig dns = HyphaeConfig.load(EXAMPLES.resolve("dns.yaml"), ENV);
        assertThat(dns.discovery()).extracting(DiscoveryConfig::strategy).containsExactly("dns", "dns");
    }

    private static List<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    private static Set<String> strategiesNamedIn(Path file) throws IOException {
        Matcher m = STRATEGY.matcher(Files.readString(file, StandardCharsets.UTF_8));
        Set<String> names = new TreeSet<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static DiscoveryContext context(ScheduledExecutorService scheduler) {
        return new DiscoveryContext("example", new NodeId("example", new HostAndPort("127.0.0.1", 7946), 1),
                Optional.empty(), new SimpleMeterRegistry(), scheduler);
    }
}

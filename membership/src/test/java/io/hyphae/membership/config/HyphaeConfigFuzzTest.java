package io.hyphae.membership.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A config file is written by hand, so any text must give a {@link HyphaeConfig} or a
 * {@link ConfigException} that names the file; any other exception is a finding. Under
 * {@code mvn verify} this replays {@code HyphaeConfigFuzzTestInputs/} (example files, and every
 * crash found so far); {@code scripts/fuzz.sh} fuzzes it for a bounded time.
 */
class HyphaeConfigFuzzTest {

    private static final String ORIGIN = "fuzz.yaml";
    private static final Map<String, String> ENV = Map.of("HYPHAE_SECRET", "0123456789abcdef0123",
            "POD_IP", "10.1.2.3", "HOSTNAME", "fuzz-host", "EMPTY", "");
    /** Holds the PEM files a tls section names, so TLS settings are read as far as they go. */
    private static final Path DIR = dirWithPemFiles();

    @FuzzTest(maxDuration = "15s")
    @DictionaryEntries({"cluster:", "node:", "tls:", "transport:", "discovery:", "overlay:", "broadcast:",
            "directory:", "rpc:", "metrics:", "strategy: fixed", "seeds:", "${HYPHAE_SECRET}", "${POD_IP}", ":-",
            "bind:", "advertise:", "secret:", "insecure-dev-mode:", "cert: node.pem", "ms", "KiB", "MiB", "GiB",
            "PT", "heartbeat-timeout:", "max-frame-size:", "send-queue-size:", "0.0.0.0", "[::1]:"})
    void anyTextIsAConfigOrAConfigException(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        try {
            assertThat(ConfigFile.parse(ORIGIN, text, DIR, ENV::get)).isNotNull();
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith(ORIGIN + ": ");
        }
    }

    private static Path dirWithPemFiles() {
        try {
            Path dir = Files.createTempDirectory("hyphae-config-fuzz");
            dir.toFile().deleteOnExit(); // runs after the files' deletions, registered later
            for (String name : new String[] {"node.pem", "node.key", "ca.pem"}) {
                Files.writeString(dir.resolve(name), "").toFile().deleteOnExit();
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.hyphae.membership.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/** Reads one YAML file into a {@link HyphaeConfig}: syntax, then environment, then keys. */
final class ConfigFile {

    // Strict duplicates: a key written twice is almost always a merge mistake, and YAML would
    // otherwise keep the last one silently.
    private static final YAMLMapper YAML = YAMLMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private ConfigFile() {
    }

    static HyphaeConfig load(Path file, UnaryOperator<String> env) {
        String origin = file.toString();
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(origin, "", "cannot read the config file: " + e);
        }
        return parse(origin, text, file.toAbsolutePath().getParent(), env);
    }

    /**
     * Reads a config file's text; {@code origin} names it in errors, relative paths in it are
     * taken from {@code baseDir}. Any text gives a config or a {@link ConfigException}.
     */
    static HyphaeConfig parse(String origin, String text, Path baseDir, UnaryOperator<String> env) {
        String fileName = String.valueOf(Path.of(origin).getFileName());
        Object tree;
        try {
            tree = YAML.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
            // The YAML parser calls its input 'reader'; the file's name reads better.
            String problem = e.getOriginalMessage().strip().replace("in 'reader'", "in " + fileName);
            throw new ConfigException(origin, "", where + "not valid YAML: " + problem);
        }
        if (tree == null) {
            tree = Map.of(); // an empty file: every default
        }
        tree = new EnvSubstitution(origin, env).apply(tree, "");
        if (!(tree instanceof Map<?, ?>)) {
            throw new ConfigException(origin, "", "expected a mapping with the sections "
                    + String.join(", ", HyphaeConfig.SECTIONS) + " at the top of the file");
        }
        @SuppressWarnings("unchecked") // Jackson reads every YAML mapping key as a String
        ConfigSection root = new ConfigSection(origin, "", (Map<String, Object>) tree);
        return HyphaeConfig.read(root, env, baseDir, HyphaeConfig.defaultLoader());
    }
}

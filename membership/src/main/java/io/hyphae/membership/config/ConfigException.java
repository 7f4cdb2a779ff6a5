package io.hyphae.membership.config;

import java.util.Optional;

/**
 * A config value that cannot be used. The message names the file (when there is one), the
 * key's path (for example {@code discovery[1].port}) and what was expected, so an operator can
 * fix the file without reading code.
 */
public final class ConfigException extends RuntimeException {

    private final String source;
    private final String path;

    public ConfigException(String source, String path, String problem) {
        super(format(source, path, problem));
        this.source = source;
        this.path = path;
    }

    private static String format(String source, String path, String problem) {
        StringBuilder b = new StringBuilder();
        if (source != null) {
            b.append(source).append(": ");
        }
        if (path != null && !path.isEmpty()) {
            b.append(path).append(": ");
        }
        return b.append(problem).toString();
    }

    /** The file (or other source) the bad value came from, if known. */
    public Optional<String> source() {
        return Optional.ofNullable(source);
    }

    /** The dotted path of the bad key, for example {@code discovery[0].name}. */
    public String path() {
        return path;
    }
}

package io.hyphae.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A history as a file of JSON lines. Each line goes to the kernel in one write as it is
 * recorded, so a node killed with SIGKILL loses nothing it recorded.
 */
final class HistoryFile implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    private final FileOutputStream out;

    HistoryFile(Path path) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        this.out = new FileOutputStream(path.toFile(), true);
    }

    /** Appends one record; called from many threads. */
    synchronized void record(Object event) {
        try {
            byte[] line = (JSON.writeValueAsString(event) + "\n").getBytes(StandardCharsets.UTF_8);
            out.write(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }

    /**
     * Every record of the files, in file order. A last line cut short (the writer killed in the
     * middle of a write) is skipped; any other bad line fails, naming the file and line.
     */
    static <T> List<T> read(List<Path> files, Class<T> type) throws IOException {
        List<T> all = new ArrayList<>();
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank()) {
                    continue;
                }
                try {
                    all.add(JSON.readValue(line, type));
                } catch (IOException e) {
                    if (i < lines.size() - 1) {
                        throw new IOException(file + ":" + (i + 1) + ": " + e.getMessage(), e);
                    }
                }
            }
        }
        return all;
    }
}

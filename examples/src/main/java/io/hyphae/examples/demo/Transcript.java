package io.hyphae.examples.demo;

import java.io.PrintStream;

/**
 * What the demo prints: lines stamped with the seconds since it started, and one progress line
 * that is rewritten in place on a terminal (and printed only when it changes otherwise, so a log
 * or a test sees each step once).
 */
final class Transcript {

    private final PrintStream out;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private String progress = "";
    private long lastProgressNanos;

    Transcript(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    synchronized void line(String text) {
        clearProgress();
        out.printf("[%5.1fs] %s%n", elapsedSeconds(), text);
        if (terminal && !progress.isEmpty()) {
            out.print("\r" + progress);
        }
        out.flush();
    }

    /** A blank line and a heading for the next step. */
    synchronized void step(String title) {
        clearProgress();
        out.println();
        progress = "";
        line("== " + title);
    }

    /** @param complete true for the last state of this progress line */
    synchronized void progress(String text, boolean complete) {
        if (text.equals(progress)) {
            return;
        }
        if (terminal) {
            out.print("\r" + text + " ".repeat(Math.max(0, progress.length() - text.length())));
            out.flush();
            progress = text;
        } else if (complete || System.nanoTime() - lastProgressNanos > 1_000_000_000L) {
            // A log or a test gets the line at most once a second, and its final state.
            progress = text;
            lastProgressNanos = System.nanoTime();
            out.printf("[%5.1fs] %s%n", elapsedSeconds(), text);
        }
    }

    /** Ends the progress line, leaving its last state on screen. */
    synchronized void endProgress() {
        if (terminal && !progress.isEmpty()) {
            out.println();
        }
        progress = "";
    }

    private void clearProgress() {
        if (terminal && !progress.isEmpty()) {
            out.print("\r" + " ".repeat(progress.length()) + "\r");
        }
    }
}

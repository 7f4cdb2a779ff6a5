package io.hyphae.examples.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code ./demo} runs this: {@code java -cp hyphae-examples-all.jar io.hyphae.examples.demo.DemoMain
 * [--nodes N] [--discovery auto|gossip|static] [--workdir DIR]}. Exit status 0 when every step
 * happened, 1 when one did not (the transcript says which), 2 for a bad command line.
 */
public final class DemoMain {

    private DemoMain() {
    }

    public static void main(String[] args) throws IOException {
        int nodes = 5;
        DemoDriver.Discovery discovery = DemoDriver.Discovery.AUTO;
        Path workDir = null;
        // The script runs the driver in the background (to trap Ctrl-C), where the JVM sees no
        // console; it says --tty when its own output is a terminal.
        boolean terminal = System.console() != null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                    case "--discovery" -> discovery = DemoDriver.Discovery.valueOf(args[++i].toUpperCase(java.util.Locale.ROOT));
                    case "--workdir" -> workDir = Path.of(args[++i]);
                    case "--tty" -> terminal = true;
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            if (nodes < 3 || nodes > 20) {
                throw new IllegalArgumentException("--nodes must be 3 to 20");
            }
        } catch (RuntimeException e) {
            System.err.println("demo: " + e.getMessage()
                    + "\nusage: demo [--nodes N] [--discovery auto|gossip|static] [--workdir DIR]");
            System.exit(2);
            return;
        }
        if (workDir == null) {
            workDir = Files.createTempDirectory("hyphae-demo-");
        }
        DemoDriver driver = new DemoDriver(nodes, System.getProperty("java.class.path"), workDir, System.out, terminal);
        // Ctrl-C (SIGINT) and SIGTERM run the hook: no node process outlives the demo.
        Thread stopper = new Thread(driver::close, "demo-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        int status = 0;
        try {
            driver.run(discovery);
        } catch (DemoDriver.DemoFailure e) {
            driver.line("FAILED: " + e.getMessage());
            status = 1;
        } finally {
            driver.close();
        }
        driver.line(String.format("demo %s in %.1f s", status == 0 ? "done" : "failed", driver.elapsedSeconds()));
        System.exit(status);
    }
}

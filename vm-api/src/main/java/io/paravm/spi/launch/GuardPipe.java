package io.paravm.spi.launch;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * This JVM's end of a {@link ProcessTreeGuard}: starts the guard with its standard input a
 * pipe from here, names each process of the tree to it, and releases it once the tree has
 * been ended here. If this JVM dies first, the pipe closes and the guard ends the processes.
 * When the guard cannot start, the tree works on without it, after a warning.
 *
 * <pre>{@code
 * GuardPipe guard = GuardPipe.start();
 * guard.watch(process.toHandle());
 * ...                         // the tree ended here
 * guard.release();
 * }</pre>
 */
final class GuardPipe {

    private static final System.Logger LOG = System.getLogger(ProcessTree.class.getName());
    /** A small JVM: it reads a pipe and looks at /proc once a second. */
    private static final List<String> JVM_OPTIONS = List.of("-Xms8m", "-Xmx32m", "-Xss512k", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xshare:auto");

    private final Process guard;
    private final Writer pipe;
    private boolean open;

    private GuardPipe(Process guard) {
        this.guard = guard;
        this.pipe = guard == null ? null : new OutputStreamWriter(guard.getOutputStream(), StandardCharsets.US_ASCII);
        this.open = guard != null;
    }

    /**
     * Starts a guard: {@code java -cp <vm-api> ProcessTreeGuard}, its output this JVM's error stream.
     *
     * @return its pipe; one that does nothing if the guard could not start (with a warning)
     */
    static GuardPipe start() {
        try {
            CodeSource source = ProcessTreeGuard.class.getProtectionDomain().getCodeSource();
            if (source == null) throw new IOException("vm-api's classes have no location to give the guard as -cp");
            String classPath = Path.of(source.getLocation().toURI()).toString();
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(JVM_OPTIONS);
            cmd.addAll(List.of("-cp", classPath, ProcessTreeGuard.class.getName()));
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.PIPE)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            return new GuardPipe(p);
        } catch (IOException | URISyntaxException | IllegalArgumentException | SecurityException e) {
            LOG.log(System.Logger.Level.WARNING, "paravm: cannot start the guard that ends this launcher's processes if "
                    + "it is killed with kill -9 ({0}); they are still ended when it stops any other way", e.toString());
            return new GuardPipe(null);
        }
    }

    /** Returns the guard's process, or null if it could not start; tests close its input to stand for this JVM's death. */
    Process process() {
        return guard;
    }

    /**
     * Names a process to the guard: it ends it, and everything under it, if this JVM dies.
     *
     * @param p a process this JVM started
     */
    synchronized void watch(ProcessHandle p) {
        long started = p.info().startInstant().map(Instant::toEpochMilli).orElse(-1L);
        if (started < 0) return; // without its start instant a pid could name another process later
        send(ProcessTreeGuard.WATCH + " " + p.pid() + " " + started + "\n");
    }

    /** Tells the guard the tree was ended here, and closes the pipe; the guard leaves. */
    synchronized void release() {
        if (!open) return;
        send(ProcessTreeGuard.RELEASED + "\n");
        try {
            pipe.close();
        } catch (IOException gone) {
            // the guard is gone already
        }
        open = false;
    }

    private void send(String line) {
        if (!open) return;
        try {
            pipe.write(line);
            pipe.flush();
        } catch (IOException e) {
            open = false;
            LOG.log(System.Logger.Level.WARNING, "paravm: the guard of this launcher's processes is gone ({0}); "
                    + "a kill -9 of this launcher would now leave them running", e.toString());
        }
    }
}

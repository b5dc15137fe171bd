package io.paravm.transport.mpj;

import io.paravm.WorkerFinished;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;

/**
 * What {@link MpjLauncher} runs on every rank, in front of the user's {@code main}: it
 * turns the rank's outcome into the JVM's exit status, which MPJ alone would not (its
 * multicore starter exits 0 when a rank throws), and ends the rank when the launcher is
 * gone.
 *
 * <p>Arguments: MPJ's three ({@code rank, configuration, device}), the user's main class,
 * then the user's arguments; the user's {@code main} receives MPJ's three and its own.
 * A rank whose {@code main} throws (other than {@link WorkerFinished}) exits the JVM with
 * status 1 (under multicore that ends every rank). Under niodev a rank exits 0 when its
 * {@code main} returns; under multicore the spawner (rank 0) does, after waiting up to
 * {@value MpjProperties#EXIT_GRACE_MILLIS_PROP_NAME} ms for the other rank threads.
 *
 * <pre>{@code
 * java ... runtime.starter.MulticoreStarter WDIR 3 smpdev useLocalLoader CP \
 *     io.paravm.transport.mpj.MpjRankMain com.example.Main arg1
 * }</pre>
 */
public final class MpjRankMain {

    private static final Logger LOG = LoggerFactory.getLogger(MpjRankMain.class);
    private static final String SMPDEV_THREAD_GROUP = "xdev.smpdev.SMPDevProcess";
    private static final int MPJ_ARGS = 3;

    private MpjRankMain() {
    }

    /**
     * Runs the user's main class on this rank.
     *
     * @param args {@code rank configuration device MainClass [user args...]}
     */
    public static void main(String[] args) {
        if (args.length <= MPJ_ARGS) {
            LOG.error("MpjRankMain needs MPJ's arguments and a main class, got {} argument(s); start programs with: {}",
                    args.length, MpjProperties.LAUNCH_HINT);
            System.exit(2);
        }
        watchLauncher();
        String rank = args[0];
        String mainClass = args[MPJ_ARGS];
        boolean multicore = args[2].equals("smpdev");
        String[] mainArgs = new String[args.length - 1];
        System.arraycopy(args, 0, mainArgs, 0, MPJ_ARGS);
        System.arraycopy(args, MPJ_ARGS + 1, mainArgs, MPJ_ARGS, args.length - MPJ_ARGS - 1);
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            Class<?> main = Class.forName(mainClass, true, loader != null ? loader : MpjRankMain.class.getClassLoader());
            Method method = main.getMethod("main", String[].class);
            method.invoke(null, (Object) mainArgs);
        } catch (InvocationTargetException e) {
            if (!(e.getCause() instanceof WorkerFinished)) {
                LOG.error("MPJ rank {}: {}.main failed; ending the job", rank, mainClass, e.getCause());
                System.exit(1);
            }
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.error("MPJ rank {}: cannot run {}.main(String[]) ({}); is it public and on the -cp given to MpjLauncher?",
                    rank, mainClass, e.toString());
            System.exit(1);
        }
        if (!multicore) System.exit(0);
        if (rank.equals("0")) {
            awaitOtherRanks(MpjProperties.longProperty(MpjProperties.EXIT_GRACE_MILLIS_PROP_NAME,
                    MpjProperties.EXIT_GRACE_MILLIS_DEFAULT));
            System.exit(0);
        }
    }

    /** Multicore: waits, at most {@code graceMillis}, for the other ranks' threads to end. */
    private static void awaitOtherRanks(long graceMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        ThreadGroup mine = Thread.currentThread().getThreadGroup();
        try {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                ThreadGroup g = t.getThreadGroup();
                if (g == null || g == mine || !g.getClass().getName().equals(SMPDEV_THREAD_GROUP)) continue;
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    LOG.warn("MPJ rank threads still run {} ms after the spawner ended; ending them", graceMillis);
                    return;
                }
                t.join(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ends this JVM when the launcher that started it ends (even if it was killed). */
    private static void watchLauncher() {
        String pid = System.getProperty(MpjProperties.LAUNCHER_PID_PROP_NAME);
        if (pid == null) return;
        ProcessHandle.of(Long.parseLong(pid)).ifPresentOrElse(
                launcher -> launcher.onExit().thenRun(MpjRankMain::launcherGone),
                MpjRankMain::launcherGone);
    }

    private static void launcherGone() {
        LOG.error("the MpjLauncher that started this JVM has ended; ending this rank");
        Runtime.getRuntime().halt(3);
    }
}

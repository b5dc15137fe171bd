package io.paravm.examples.demo;

import io.paravm.Received;
import io.paravm.VirtualMachine;
import io.paravm.VmConfig;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

import java.time.Duration;
import java.util.Locale;

/** What the demos share: their arguments, read on the spawner only, and a few formats. */
final class Demos {

    /** How long a demo waits for any news from its workers before it gives up. */
    static final Duration PATIENCE = Duration.ofSeconds(120);

    private Demos() {
    }

    /** A demo's spawner, given the open VM and its parsed options. */
    @FunctionalInterface
    interface DemoMain<O> {
        void run(VirtualMachine vm, O options) throws Exception;
    }

    /**
     * Runs a demo: every rank opens the VM; the spawner reads the demo's options (picocli
     * annotations on {@code options}) and runs {@code main}. {@code --help} prints the
     * options; a mistake prints what was wrong and ends the program with status 2.
     *
     * @param args    the program's arguments
     * @param options an instance of the demo's options class
     * @param main    the demo
     * @param <O>     the options class
     * @throws Exception what the demo threw
     */
    static <O> void run(String[] args, O options, DemoMain<O> main) throws Exception {
        run(VmConfig.builder().args(args).build(), options, main);
    }

    /**
     * As {@link #run(String[], Object, DemoMain)}, with a VM configuration of the demo's.
     *
     * @param config  how to open the VM, the program's arguments included
     * @param options an instance of the demo's options class
     * @param main    the demo
     * @param <O>     the options class
     * @throws Exception what the demo threw
     */
    static <O> void run(VmConfig config, O options, DemoMain<O> main) throws Exception {
        boolean[] badArgs = {false};
        VirtualMachine.run(config, (vm, userArgs) -> {
            CommandLine cl = new CommandLine(options);
            try {
                if (cl.parseArgs(userArgs).isUsageHelpRequested()) {
                    cl.usage(System.out);
                    return;
                }
            } catch (ParameterException e) {
                System.err.println(cl.getCommandName() + ": " + e.getMessage());
                System.err.println("Try '" + cl.getCommandName() + " -- --help' for more.");
                badArgs[0] = true;
                return;
            }
            try {
                main.run(vm, options);
            } catch (UsageError e) {
                System.err.println(cl.getCommandName() + ": " + e.getMessage());
                badArgs[0] = true;
            }
        });
        if (badArgs[0]) System.exit(2); // after the VM was closed: the workers have ended too
    }

    /** A demo cannot run as started; the message says why and what to do. */
    static final class UsageError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    /**
     * Returns the number of free slots, the workers a demo has.
     *
     * @param vm   the spawner's VM
     * @param demo the demo's name, for the message
     * @return at least 1
     * @throws UsageError if there is no worker (the job has one rank)
     */
    static int workers(VirtualMachine vm, String demo) {
        int free = vm.freeSlots();
        if (free == 0) throw new UsageError("the " + demo + " demo needs a worker; run it with -np 2 or more");
        return free;
    }

    /**
     * Waits for the next message, or fails saying what the demo was waiting for.
     *
     * @param vm      the spawner's VM
     * @param waiting what the demo waits for, for the message
     * @return the message
     */
    static Received next(VirtualMachine vm, String waiting) {
        return vm.receiveMessage(PATIENCE).orElseThrow(() -> new IllegalStateException(
                "no message from the workers in " + PATIENCE.toSeconds() + " s while waiting for " + waiting));
    }

    /** Returns "1 worker" or "N workers". */
    static String workersText(int n) {
        return n == 1 ? "1 worker" : n + " workers";
    }

    /** Formats a byte count as people read it: 0 B, 16 B, 4 KB, 10 MB (powers of 1000). */
    static String bytes(long n) {
        if (n < 1000) return n + " B";
        if (n < 1_000_000) return String.format(Locale.ROOT, "%.4g KB", n / 1e3).replaceAll("\\.?0+ ", " ");
        return String.format(Locale.ROOT, "%.4g MB", n / 1e6).replaceAll("\\.?0+ ", " ");
    }

    /** The first line of a remote stack trace: the exception and its message. */
    static String firstLine(String stackTrace) {
        if (stackTrace == null) return "(no error text)";
        int nl = stackTrace.indexOf('\n');
        return (nl < 0 ? stackTrace : stackTrace.substring(0, nl)).strip();
    }
}

package io.paravm.tck;

import io.paravm.VirtualMachine;

/**
 * The virtual machine under verification, handed to the JUnit tests by
 * {@link TckLauncher}. The tests run inside the spawner of a real job, so the VM is
 * opened once for the whole run, not per test.
 *
 * <pre>{@code
 * TckEnvironment.install(vm, 3);
 * // ... run the verification classes ...
 * TckEnvironment.uninstall();
 * }</pre>
 */
public final class TckEnvironment {

    /** Environment variable: seconds any single wait in a TCK test may take (default 120). */
    public static final String TIMEOUT_ENV_NAME = "PARAVM_TCK_TIMEOUT_SECONDS";
    /** Default of {@link #TIMEOUT_ENV_NAME}. */
    public static final long TIMEOUT_SECONDS_DEFAULT = 120;

    // The one piece of state the TCK shares with JUnit-instantiated test classes. Each
    // rank has its own class loader under MPJ multicore, so this is per rank.
    private static volatile VirtualMachine vm;
    private static volatile boolean closed;

    private TckEnvironment() {
    }

    /**
     * @param machine the open VM (the spawner's)
     */
    public static void install(VirtualMachine machine) {
        vm = machine;
        closed = false;
    }

    /** Marks the VM as closed, for the verification of a closed VM. */
    public static void markClosed() {
        closed = true;
    }

    /** Forgets the VM. */
    public static void uninstall() {
        vm = null;
    }

    /** Returns the VM under verification; throws if the launcher did not install one. */
    public static VirtualMachine vm() {
        VirtualMachine v = vm;
        if (v == null) {
            throw new IllegalStateException("no VM under verification: run the TCK through io.paravm.tck.TckLauncher "
                    + "(it opens the VM inside a real job and runs the tests on the spawner)");
        }
        return v;
    }

    /** Returns whether {@link #markClosed()} was called. */
    public static boolean isClosed() {
        return closed;
    }

    /** Returns the bound on any single wait, from {@value #TIMEOUT_ENV_NAME}. */
    public static long timeoutSeconds() {
        String s = System.getenv(TIMEOUT_ENV_NAME);
        return s == null || s.isBlank() ? TIMEOUT_SECONDS_DEFAULT : Long.parseLong(s.trim());
    }
}

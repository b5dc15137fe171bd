package io.paravm.transport.openmpi;

/** Prints why Open MPI is unavailable in this JVM; the configuration test runs it with a chosen environment. */
public final class OpenMpiProbe {
    private OpenMpiProbe() {
    }

    public static void main(String[] args) {
        System.out.println("cause=" + OpenMpi.unavailabilityCause());
    }
}

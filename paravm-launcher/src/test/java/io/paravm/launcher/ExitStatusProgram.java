package io.paravm.launcher;

import io.paravm.VirtualMachine;

/** A job whose spawner ends with the status given as its argument, after closing the VM. */
public final class ExitStatusProgram {

    private ExitStatusProgram() {
    }

    public static void main(String[] args) throws Exception {
        int[] status = {0};
        VirtualMachine.run(args, (vm, userArgs) -> status[0] = Integer.parseInt(userArgs[0]));
        if (status[0] != 0) System.exit(status[0]); // the spawner only: workers leave run() with 0
    }
}

package io.paravm.farm;

import io.paravm.VirtualMachine;
import io.paravm.VmException;

/**
 * Spawner to itself, only after a send to a worker failed: whether this message can be
 * sent tells a payload that cannot be serialized from a worker that is gone. (The VM's
 * serializer is reachable only through {@code sendMessage}.) The dispatcher drops it.
 *
 * @param payload what failed to reach the worker
 */
record SendProbe(Object payload) {

    /**
     * After a send to a worker failed: returns whether {@code payload} is what cannot be
     * sent (rather than the worker being gone), by sending it to the spawner itself.
     */
    static boolean cannotSend(VirtualMachine vm, Object payload) {
        try {
            vm.sendMessage(vm.taskId(), new SendProbe(payload));
            return false;
        } catch (VmException e) {
            return true;
        }
    }
}

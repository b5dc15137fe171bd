/**
 * ParaVM's public API: open a {@link io.paravm.VirtualMachine} with
 * {@link io.paravm.VirtualMachines#open()}, spawn {@link io.paravm.Task}s and exchange
 * messages. The engine underneath is chosen by the transport jar on the class path.
 */
package io.paravm;

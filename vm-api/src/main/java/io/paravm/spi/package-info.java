/**
 * The service-provider interface: what a message-passing engine implements
 * ({@link io.paravm.spi.Transport}, {@link io.paravm.spi.TransportProvider}) and how
 * vm-core plugs in ({@link io.paravm.spi.VirtualMachineFactory}).
 */
package io.paravm.spi;

/**
 * The service-provider interface: what a message-passing engine implements
 * ({@link io.paravm.spi.Transport}, {@link io.paravm.spi.TransportProvider}) and how
 * vm-core plugs in ({@link io.paravm.spi.VirtualMachineFactory}); the VM's events
 * ({@link io.paravm.spi.VmEvents}, {@link io.paravm.spi.VmEventListener}) and the dashboard
 * that listens to them ({@link io.paravm.spi.DashboardProvider}).
 */
package io.paravm.spi;

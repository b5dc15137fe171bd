/**
 * The engine-launch SPI: how a transport module says how to start a job of N ranks on its
 * engine ({@link io.paravm.spi.launch.EngineLauncher}), found by {@link java.util.ServiceLoader};
 * and the one helper every launcher uses to end what it started
 * ({@link io.paravm.spi.launch.ProcessTree}). The {@code paravm} command line
 * (module {@code paravm-launcher}) is written against these alone; it names no engine.
 */
package io.paravm.spi.launch;

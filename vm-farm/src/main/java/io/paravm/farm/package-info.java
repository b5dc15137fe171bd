/**
 * The task farm: futures, {@code map} with results in input order, dynamic load balancing
 * over resident worker tasks, retry of tasks whose host was lost, timeouts and
 * cancellation, over any {@link io.paravm.VirtualMachine}.
 *
 * <pre>{@code
 * try (TaskFarm farm = TaskFarm.on(vm)) {
 *     List<Double> ys = farm.map(x -> f(x), xs);
 * }
 * }</pre>
 */
package io.paravm.farm;

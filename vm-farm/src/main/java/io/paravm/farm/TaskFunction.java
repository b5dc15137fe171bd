package io.paravm.farm;

import java.io.Serializable;

/**
 * A function that {@link TaskFarm#map(TaskFunction, java.util.List)} applies to each input
 * on a worker. It is serialized and shipped once per worker, so a lambda must capture only
 * serializable values.
 *
 * <pre>{@code
 * double scale = 2.0;
 * List<Double> ys = farm.map(x -> scale * Math.sin(x), xs);
 * }</pre>
 *
 * @param <T> the input type
 * @param <R> the result type
 */
@FunctionalInterface
public interface TaskFunction<T, R> extends Serializable {

    /**
     * Computes the result for one input, on a worker.
     *
     * @param input one element of the list given to {@code map}
     * @return the result, sent back to the spawner
     * @throws Exception anything; it reaches the spawner as a {@link RemoteTaskException}
     *                   with the remote stack trace
     */
    R apply(T input) throws Exception;
}

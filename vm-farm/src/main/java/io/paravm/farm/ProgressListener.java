package io.paravm.farm;

/**
 * Told how far a farm (or one {@code map} call) has got, once per task that finished.
 * Called on the farm's dispatcher thread: keep it short (update a progress bar, log),
 * never block in it, and never call {@code map} or a blocking {@code submit} from it.
 *
 * <pre>{@code
 * List<Double> ys = farm.map(x -> f(x), xs, p -> bar.stepTo(p.completed() + p.failed()));
 * }</pre>
 */
@FunctionalInterface
public interface ProgressListener {

    /**
     * @param progress the counts after the task that just finished
     */
    void progress(FarmProgress progress);
}

package io.paravm.farm;

import java.time.Duration;

/**
 * How far a {@code map} call (or the whole farm) has got.
 *
 * <pre>{@code
 * farm.map(x -> f(x), xs, p -> log.info("{}/{} done in {}", p.completed(), p.total(), p.elapsed()));
 * }</pre>
 *
 * @param completed tasks that returned a value
 * @param failed    tasks that ended with an error (they threw, their host was lost too
 *                  often, or they timed out)
 * @param total     tasks in the {@code map} call; for the farm's own listener, tasks
 *                  submitted so far
 * @param elapsed   time since the {@code map} call (or the farm) started
 */
public record FarmProgress(long completed, long failed, long total, Duration elapsed) {
}

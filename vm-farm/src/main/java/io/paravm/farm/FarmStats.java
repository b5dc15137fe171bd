package io.paravm.farm;

/**
 * A snapshot of a farm's counters, from {@link TaskFarm#stats()}. Each task submitted
 * (or each input of a {@code map}) ends in exactly one of completed, failed, timedOut
 * and cancelled.
 *
 * <pre>{@code
 * FarmStats s = farm.stats();
 * log.info("{} done, {} failed, {} retried, {} waiting", s.completed(), s.failed(), s.retried(), s.queued());
 * }</pre>
 *
 * @param submitted tasks submitted, {@code map} inputs included
 * @param completed tasks that returned a value
 * @param failed    tasks that threw (after any retries asked for) or whose host was lost
 *                  more often than allowed, or that could not be sent
 * @param retried   runs started again: after a lost host, or after a throw when
 *                  {@code failureRetries} allows it
 * @param timedOut  tasks whose timeout fired
 * @param cancelled tasks cancelled (through their future, a failed {@code map}, or
 *                  {@code close()})
 * @param queued    tasks waiting to be sent to a worker now
 * @param inFlight  tasks sent to a worker and not yet reported back now (timed-out and
 *                  cancelled tasks still running on a worker included)
 * @param workers   the farm's workers now: resident worker tasks, or, when spawning one
 *                  task per item, the VM's worker slots
 */
public record FarmStats(long submitted, long completed, long failed, long retried, long timedOut, long cancelled,
                        int queued, int inFlight, int workers) {
}

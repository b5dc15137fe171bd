package io.paravm.dashboard;

import java.util.List;

/**
 * What the page shows and {@code /api/status} returns, as JSON: the VM's state at one instant.
 * Times are milliseconds since the epoch; durations are milliseconds. Every text in it that
 * came from a worker (host names, exception messages, stack traces) is data: the page shows it
 * as text, never as markup.
 *
 * <pre>{@code
 * curl -s -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8080/api/status | jq '.farm.completed'
 * }</pre>
 *
 * @param time      when this was taken
 * @param transport the engine the VM runs on
 * @param upMillis  how long the dashboard has watched the VM
 * @param slots     the VM's slots now, spawner's included
 * @param freeSlots the worker slots that run no task now
 * @param hosts     every host, with its JVMs (ranks) and their slots
 * @param farm      the task farms' totals
 * @param tasks     the VM's own tasks (spawnFunction), farm workers included
 * @param series    one point per second, oldest first, the last two minutes
 * @param failures  the latest failed tasks, newest first
 * @param lost      the latest hosts and tasks lost, newest first
 * @param traffic   frames and bytes the spawner exchanged with each rank
 */
public record Status(long time, String transport, long upMillis, int slots, int freeSlots, List<Host> hosts,
                     Farm farm, Tasks tasks, List<Point> series, List<Failure> failures, List<Lost> lost,
                     List<Traffic> traffic) {

    /**
     * @param name the host's name
     * @param jvms its ranks' JVMs
     */
    public record Host(String name, List<Jvm> jvms) {
    }

    /**
     * One rank's JVM and its load, as it last reported it (null until it has).
     *
     * @param rank             the rank
     * @param pid              its process id
     * @param cpuLoad          its CPU use, 0 to 1 of the host's processors
     * @param heapUsedBytes    heap in use
     * @param heapMaxBytes     the heap's maximum
     * @param gcMillis         time spent collecting garbage since it started
     * @param sampleAgeMillis  how old the sample is
     * @param slots            its slots
     */
    public record Jvm(int rank, long pid, Double cpuLoad, Long heapUsedBytes, Long heapMaxBytes, Long gcMillis,
                      Long sampleAgeMillis, List<Slot> slots) {
    }

    /**
     * @param id            the slot, {@code rank/index}
     * @param task          the task it runs, or null when free
     * @param work          what that task works on now (a farm task: {@code input 17 of 100}), or null
     * @param runningMillis how long that has run (the farm task, else the task), or null
     */
    public record Slot(String id, String task, String work, Long runningMillis) {
    }

    /**
     * @param submitted      tasks submitted to farms (map inputs included)
     * @param completed      returned a value
     * @param failed         threw, were lost too often, or could not be sent
     * @param retried        runs started again
     * @param timedOut       timed out
     * @param cancelled      cancelled
     * @param backlog        submitted and not yet ended
     * @param tasksPerSecond farm tasks ended per second, over the last 10 s
     * @param etaSeconds     when the backlog should be done at that rate, or null
     */
    public record Farm(long submitted, long completed, long failed, long retried, long timedOut, long cancelled,
                       long backlog, double tasksPerSecond, Double etaSeconds) {
    }

    /**
     * @param spawned  tasks spawned
     * @param finished ended normally
     * @param failed   ended by an exception
     * @param lost     ended with their host
     */
    public record Tasks(long spawned, long finished, long failed, long lost) {
    }

    /**
     * One second.
     *
     * @param time          its start
     * @param ended         tasks that ended in it (farm tasks, and tasks spawned outside a farm)
     * @param meanMillis    their mean duration, or null if none ended
     * @param maxMillis     the longest of them, or null
     */
    public record Point(long time, long ended, Double meanMillis, Double maxMillis) {
    }

    /**
     * @param time  when the spawner learnt of it
     * @param task  the task (a farm's: the worker task it ran on)
     * @param item  which farm task, or null
     * @param error the remote stack trace, or why
     */
    public record Failure(long time, String task, String item, String error) {
    }

    /**
     * @param time what was lost when
     * @param kind {@code host} or {@code task}
     * @param what the host (with its rank) or the task
     */
    public record Lost(long time, String kind, String what) {
    }

    /**
     * @param rank           the other rank
     * @param framesSent     frames the spawner sent it
     * @param bytesSent      their bytes
     * @param framesReceived frames the spawner received from it
     * @param bytesReceived  their bytes
     */
    public record Traffic(int rank, long framesSent, long bytesSent, long framesReceived, long bytesReceived) {
    }
}

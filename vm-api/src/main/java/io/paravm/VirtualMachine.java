package io.paravm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A parallel virtual machine: one spawner task (rank 0) and worker tasks on every other
 * rank. Every rank runs the same {@code main}; {@link #spawnerBarrier()} separates them.
 * The spawner spawns {@link Task}s into free slots and exchanges messages with them.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     VirtualMachine.run(args, (vm, userArgs) -> {
 *         List<TaskId> ids = vm.spawnFunction(w -> "hello from " + w.hostId(), vm.freeSlots(), null, true);
 *         int exits = 0;
 *         while (exits < ids.size()) {
 *             Received r = vm.receiveMessage(Duration.ofSeconds(30)).orElseThrow();
 *             if (r.message() instanceof TaskResult res) log.info("{}: {}", r.sender(), res.value());
 *             if (r.message() instanceof TaskExit) exits++;
 *         }
 *     });
 * }
 * }</pre>
 *
 * <p>Methods marked "spawner only" throw {@link VmException} on a worker. All methods
 * throw {@link VmClosedException} after {@link #close()}. Messages between a pair of
 * tasks arrive in the order they were sent. A {@code null} argument where an object is
 * required throws {@link NullPointerException} naming the parameter.
 *
 * <p>Slots: a slot is a place where one task runs, named by a {@link SlotId} (the rank
 * offering it and its index there). Each worker rank offers one slot, as in PyOPUS, or
 * several when it runs tasks on threads of its JVM ({@link VmConfig.Builder#workerSlots(int)});
 * the spawner offers one, which always runs task {@code 0:0}. Every slot query counts slots,
 * not ranks: {@code freeSlotsSet().size() == freeSlots()}, a rank with two free slots appears
 * twice in {@link #status()} and {@link #formatSpawnerConfig()}, and a host is in
 * {@link #hostsWithFreeSlots()} while any of its slots is free.
 */
public interface VirtualMachine extends AutoCloseable {

    /** What the spawner runs in {@link #run(String[], SpawnerMain)}. */
    @FunctionalInterface
    interface SpawnerMain {
        /**
         * @param vm   the open virtual machine, as seen by the spawner
         * @param args the program's arguments, without what the engine added
         * @throws Exception anything; it propagates out of {@code run} after the VM is closed
         */
        void run(VirtualMachine vm, String[] args) throws Exception;
    }

    /**
     * Opens the virtual machine with {@code args}, runs {@code main} on the spawner and
     * closes the VM. On a worker it runs the spawn loop and returns normally once the
     * spawner has closed the VM. This is the recommended entry point.
     *
     * @param args the program's {@code main} arguments
     * @param main the spawner's program
     * @throws Exception what {@code main} threw
     */
    static void run(String[] args, SpawnerMain main) throws Exception {
        run(VmConfig.builder().args(args).build(), main);
    }

    /**
     * As {@link #run(String[], SpawnerMain)}, with a full configuration.
     *
     * @param config how to open the VM
     * @param main   the spawner's program
     * @throws Exception what {@code main} threw
     */
    static void run(VmConfig config, SpawnerMain main) throws Exception {
        java.util.Objects.requireNonNull(main, "main is null; pass the spawner's program, (vm, args) -> ...");
        try (VirtualMachine vm = VirtualMachines.open(config)) {
            if (vm.isSpawner()) {
                main.run(vm, vm.args());
            } else {
                vm.runWorkerLoop();
            }
        }
    }

    // ---- the split between spawner and workers ----

    /**
     * PyOPUS's split point. On the spawner it returns at once. On a worker it runs the
     * spawn loop until the spawner closes the VM, then closes this VM and ends the
     * worker: the JVM exits with status 0, or, where ranks are threads of one JVM, the
     * rank's thread ends by throwing {@link WorkerFinished}. Prefer
     * {@link #run(String[], SpawnerMain)}, which returns normally on workers.
     */
    void spawnerBarrier();

    /**
     * Runs the worker's spawn loop until the spawner closes the VM, then returns.
     * Called by {@link #run(String[], SpawnerMain)}; on the spawner it throws.
     */
    void runWorkerLoop();

    /** Returns whether this task is the spawner (rank 0). */
    boolean isSpawner();

    /** Returns the program's arguments, without what the engine added. */
    String[] args();

    /** Returns the name of the transport under this VM, e.g. {@code openmpi}. */
    String transportName();

    // ---- identity ----

    /** Returns this task's id: {@code 0:0} on the spawner, {@code rank:number} in a task. */
    TaskId taskId();

    /** Returns the spawner's id {@code 0:0} on a worker, {@link TaskId#bad()} on the spawner. */
    TaskId parentTaskId();

    /** Returns the host this task runs on. */
    HostId hostId();

    /**
     * The directory this task runs in: on a worker, its fresh per-task folder holding the
     * mirrored files ({@link VmConfig.Builder#mirror}), else the start directory
     * ({@link VmConfig.Builder#startDir}), else the worker's working directory; on the
     * spawner, its working directory. Java cannot change a process's directory, so pass it
     * on, e.g. {@code new ProcessBuilder("spice", "in.cir").directory(vm.workDir().toFile())}.
     *
     * @return an absolute path
     */
    Path workDir();

    // ---- spawner only: slots, hosts, spawning ----

    /**
     * Spawns up to {@code count} instances of {@code task} in free slots (spawner only).
     * Spawns only into free slots and never waits for one.
     *
     * @param task     the function to run
     * @param count    how many instances at most; {@code count >= 0}
     * @param targets  the hosts to spawn on, or {@code null} for any host
     * @param sendBack whether each task sends a {@link TaskResult} before its {@link TaskExit}
     * @return the ids of the spawned tasks; empty when no slot was free
     * @throws NullPointerException for a null task, or a null host in {@code targets}
     * @throws MessageEncodingException if the task cannot be serialized; nothing is spawned
     * @throws VmException for a negative count, or an unknown target host
     */
    List<TaskId> spawnFunction(Task<?> task, int count, Collection<HostId> targets, boolean sendBack);

    /**
     * Spawns one instance of {@code task} in a free slot with {@code sendBack} (spawner only).
     *
     * @param task the function to run
     * @return the id of the spawned task, if a slot was free
     */
    default Optional<TaskId> spawnFunction(Task<?> task) {
        List<TaskId> ids = spawnFunction(task, 1, null, true);
        return ids.isEmpty() ? Optional.empty() : Optional.of(ids.get(0));
    }

    /** Returns the number of slots, the spawner's own included (spawner only). */
    int slots();

    /** Returns the number of slots that run no task (spawner only). */
    int freeSlots();

    /**
     * Returns the slots that run no task, in order of their {@link SlotId} (spawner only); its
     * size is {@link #freeSlots()}, and a worker with two free slots contributes two.
     */
    Set<SlotId> freeSlotsSet();

    /** Returns the hosts with at least one free slot (spawner only). */
    Set<HostId> hostsWithFreeSlots();

    /** Returns every host, in order of its first rank (spawner only). */
    List<HostId> hosts();

    /**
     * Returns the host a task runs on (spawner only).
     *
     * @param task a task id whose rank is a slot of this VM
     * @return its host
     * @throws NullPointerException if {@code task} is null
     * @throws VmException if the rank is not a slot of this VM
     */
    HostId hostId(TaskId task);

    /**
     * Formats the hosts and slots in PyOPUS's layout (spawner only): a line per host
     * with its processor count and free slots, then a line per busy slot. A slot is shown
     * as its rank where the rank offers one slot (PyOPUS, where a slot is a rank), and as
     * its {@link SlotId} ({@code rank/index}) where the rank offers several:
     *
     * <pre>{@code
     * node-a ncpu=8 free slots: [1/1, 2/0, 2/1]
     * 	slot=   0 task=   0
     * 	slot= 1/0 task=   7
     * }</pre>
     */
    String formatSpawnerConfig();

    /** Returns a snapshot of the hosts and slots (spawner only). */
    VmStatus status();

    /**
     * Spawner only: removes, on every worker host, the task folders and mirrored files this
     * VM's workers left in their local storage (folders of running tasks are kept). Workers
     * act on it in order with spawns: a task spawned after this call starts in a clean
     * storage.
     */
    void clearLocalStorage();

    // ---- messages ----

    /**
     * Sends {@code message} to task {@code destination}. The message is serialized
     * before anything is sent; if that fails nothing is sent.
     *
     * <p>Like {@code MPI_Send} in standard mode, this may block: a task holds at most
     * {@link VmConfig.Builder#unreadBound unreadBound} bytes of unread messages from one rank
     * (64 MiB by default). Past that, the call waits until the task reads, at most
     * {@link VmConfig.Builder#sendTimeout sendTimeout} (60 s by default), then throws
     * {@link SendTimeoutException} with nothing sent. A message larger than the bound goes
     * alone, once the task has read everything else from this rank.
     * {@link #trySendMessage} takes a timeout per call instead.
     *
     * @param destination a valid task id
     * @param message     any serializable object; {@code byte[]}, primitive arrays,
     *                    {@link java.nio.ByteBuffer} and {@link String} travel without Kryo
     * @throws NullPointerException      if {@code destination} is null
     * @throws TaskEndedException        on the spawner, if the destination task has ended or
     *                                   its rank was lost
     * @throws MessageEncodingException  if the message cannot be serialized
     * @throws EngineFailureException    if the engine failed to send it
     * @throws SendTimeoutException      if the destination did not read enough to make room in time
     * @throws VmException               for an invalid or unknown destination
     */
    void sendMessage(TaskId destination, Object message);

    /**
     * Sends {@code message} to task {@code destination} if the task has room for it within
     * {@code timeout} (see {@link #sendMessage} for the bound), and says whether it did.
     *
     * <pre>{@code
     * if (!vm.trySendMessage(consumer, chunk, Duration.ZERO)) {
     *     pending.add(chunk);          // the consumer is behind: keep it, do other work
     * }
     * }</pre>
     *
     * @param destination a valid task id
     * @param message     as in {@link #sendMessage}
     * @param timeout     zero: only if there is room now; positive: wait at most that long;
     *                    negative: wait as long as it takes
     * @return whether the message was sent; if not, nothing was
     * @throws NullPointerException     if {@code destination} or {@code timeout} is null
     * @throws TaskEndedException       as in {@link #sendMessage}
     * @throws MessageEncodingException if the message cannot be serialized
     * @throws EngineFailureException   if the engine failed to send it
     * @throws VmException              for an invalid or unknown destination
     */
    boolean trySendMessage(TaskId destination, Object message, Duration timeout);

    /**
     * Receives the next message from any task.
     *
     * @param timeout negative: wait until one arrives; zero: only what has arrived;
     *                positive: wait at most that long
     * @return the message, or empty if none arrived in time
     * @throws NullPointerException       if {@code timeout} is null
     * @throws MessageDecodingException   if the next message could not be decoded; it was
     *                                    dropped, and the next receive goes on
     */
    Optional<Received> receiveMessage(Duration timeout);

    /**
     * Receives the next message sent by task {@code from}; messages from other tasks, on its
     * rank or not, stay queued.
     *
     * @param timeout as in {@link #receiveMessage(Duration)}
     * @param from    the sender
     * @return the message, or empty if none arrived in time
     * @throws NullPointerException if {@code timeout} or {@code from} is null
     */
    Optional<Received> receiveMessage(Duration timeout, TaskId from);

    /** Blocks until a message arrives and returns it. */
    default Received receiveMessage() {
        return receiveMessage(Duration.ofNanos(-1)).orElseThrow();
    }

    /** Returns whether a message is waiting, without receiving it. */
    boolean checkForIncoming();

    /**
     * Returns whether a message from task {@code from} is waiting, without receiving it; one
     * from another task on the same rank does not count.
     *
     * @param from the sender
     * @return whether one is waiting
     * @throws NullPointerException if {@code from} is null
     */
    boolean checkForIncoming(TaskId from);

    /**
     * Sends a line to the spawner's log (on the spawner: logs it). Used for worker
     * diagnostics; PyOPUS's debug printer.
     *
     * @param text the line
     */
    void logToSpawner(String text);

    /**
     * On the spawner: asks every worker to exit politely, then shuts the engine down
     * (PyOPUS's {@code finalize}). On a worker: shuts this rank's engine down. Idempotent.
     */
    @Override
    void close();

    /**
     * Where this VM's events go: register a {@link io.paravm.spi.VmEventListener} there to be
     * told of tasks spawned, started and ended, hosts added and lost, frames per rank, the
     * workers' load, and the task farm's tasks (on the spawner; a worker's VM tells only its
     * own frames). With no listener registered, the VM pays nothing for them.
     *
     * <pre>{@code
     * vm.events().add(new VmEventListener() {
     *     public void hostRemoved(HostId host, int rank) { log.warn("lost {} (rank {})", host, rank); }
     * });
     * }</pre>
     *
     * @return the VM's event hub
     * @throws VmException if this implementation publishes no events
     */
    default io.paravm.spi.VmEvents events() {
        throw new VmException(getClass().getName() + " publishes no VM events; open the VM with "
                + "VirtualMachines.open(...), whose VM (vm-core's) does");
    }
}

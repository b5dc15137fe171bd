package io.paravm.farm;

import io.paravm.Received;
import io.paravm.Task;
import io.paravm.VirtualMachine;
import io.paravm.VmException;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A task farm over a {@link VirtualMachine} (PyOPUS's cOS dispatch, made Java): submit
 * tasks and get {@link CompletableFuture}s, or {@link #map} a function over many inputs
 * and get the results in input order. Work goes to whichever worker has room (dynamic
 * load balancing), a task whose worker or host is lost runs again elsewhere, a task that
 * throws fails its future with the remote stack trace, and each task may have a timeout.
 *
 * <pre>{@code
 * VirtualMachine.run(args, (vm, userArgs) -> {
 *     try (TaskFarm farm = TaskFarm.on(vm)) {
 *         List<Double> ys = farm.map(x -> Math.sqrt(x), List.of(1.0, 4.0, 9.0));   // [1.0, 2.0, 3.0]
 *         CompletableFuture<String> host = farm.submit(w -> w.hostId().name());
 *         log.info("{} {}", ys, host.join());
 *     }
 * });
 * }</pre>
 *
 * <p><b>How it runs.</b> By default the farm spawns one <em>resident</em> worker task in
 * every free slot when it is built (and in every slot a {@code HostAdded} brings). Each
 * runs the farm's tasks one after the other and gets up to
 * {@link Builder#inFlightPerSlot(int)} tasks ahead, so it never idles between tasks. For a
 * {@code map} the function travels once per worker and then only the inputs. With
 * {@link Builder#spawnPerTask(boolean)} every task is instead one {@code spawnFunction}
 * (PyOPUS style), at most one per free slot. Either way the spawner's incoming results are
 * bounded: at most {@code inFlightPerSlot} per worker (or one per slot) are on their way or
 * waiting to be handled, however slowly the dispatcher handles them (TCK rule 9.4).
 *
 * <p><b>Threads and messages.</b> While the farm is open its dispatcher thread
 * ({@code paravm-farm-dispatcher}) is the only caller of {@code vm.receiveMessage}: do not
 * call {@code receiveMessage} yourself, and open one farm per VM at a time. Messages that
 * are not the farm's (a farm task may message its parent; {@code HostAdded},
 * {@code HostRemoved}, exits of tasks you spawned yourself) go to
 * {@link Builder#otherMessages(Consumer)}. A farm task must not receive messages itself
 * (it would take the farm's). Progress listeners and the futures' dependent actions run
 * on the dispatcher thread: keep them short, and do not block in them. {@code submit}
 * and {@code map} may be called from any thread, concurrently.
 *
 * <p><b>Errors.</b> Futures fail with {@link RemoteTaskException} (the task threw),
 * {@link TaskLostException} (its host was lost too often), {@link TimeoutException} (its
 * timeout passed; the worker stays busy until the task really ends and its late result
 * is dropped), or {@link CancellationException}. {@code map} throws the first failure,
 * naming the input's index, after cancelling the inputs not yet finished.
 *
 * <p>{@link #close()} cancels every unfinished task, ends the farm's worker tasks and
 * waits (at most {@link Builder#closeTimeout(Duration)}) for them to exit; it does not
 * close the VM.
 */
public final class TaskFarm implements AutoCloseable {

    private final FarmSettings settings;
    private final FarmLedger ledger;
    private final Dispatcher dispatcher;

    private TaskFarm(VirtualMachine vm, FarmSettings settings) {
        this.settings = settings;
        this.ledger = new FarmLedger(vm, settings, books -> settings.spawnPerTask() ? new SpawnPerTask(vm, books)
                : new ResidentWorkers(vm, books, settings.inFlightPerSlot()));
        this.dispatcher = new Dispatcher(vm, ledger, settings.otherMessages());
        dispatcher.start();
    }

    /**
     * Returns a farm with the default settings over {@code vm}, its workers started.
     *
     * @param vm the spawner's open virtual machine
     * @return the farm; close it when done
     * @throws VmException on a worker's VM
     */
    public static TaskFarm on(VirtualMachine vm) {
        return builder(vm).build();
    }

    /**
     * Returns a builder for a farm over {@code vm}.
     *
     * <pre>{@code
     * TaskFarm farm = TaskFarm.builder(vm).taskTimeout(Duration.ofMinutes(5)).lostHostRetries(5).build();
     * }</pre>
     *
     * @param vm the spawner's open virtual machine
     * @return the builder
     */
    public static Builder builder(VirtualMachine vm) {
        return new Builder(vm);
    }

    // ------------------------------------------------------------------ submit

    /**
     * Submits one task, with the farm's task timeout. Blocks while the queue is full (at
     * most {@link Builder#queueWait(Duration)}).
     *
     * @param task the task; it runs on a worker, its return value completes the future
     * @param <R>  the result type
     * @return the task's future; cancelling it withdraws the task if it has not started
     * @throws VmException for a null task, a closed farm, a farm without workers, or a
     *                     queue that stayed full
     */
    public <R> CompletableFuture<R> submit(Task<R> task) {
        return submit(task, settings.taskTimeoutNanos());
    }

    /**
     * Submits one task with its own timeout, counted from when it starts on a worker.
     *
     * @param task    the task
     * @param timeout how long it may run; positive
     * @param <R>     the result type
     * @return the task's future; it fails with {@link TimeoutException} when the timeout passes
     * @throws VmException as {@link #submit(Task)}, and for a timeout that is null, zero or negative
     */
    public <R> CompletableFuture<R> submit(Task<R> task, Duration timeout) {
        return submit(task, FarmSettings.positiveNanos(timeout, "submit(task, timeout)"));
    }

    @SuppressWarnings("unchecked")
    private <R> CompletableFuture<R> submit(Task<R> task, long timeoutNanos) {
        if (task == null) {
            throw new VmException("submit: task is null; pass a Task such as worker -> compute(x)");
        }
        FarmFuture<Object> future = new FarmFuture<>(ledger);
        Item item = new Item(task, 0, null, -1, future, timeoutNanos);
        future.item = item;
        ledger.admit(item, true, !dispatcher.isCurrentThread());
        return (CompletableFuture<R>) (CompletableFuture<?>) future;
    }

    // ------------------------------------------------------------------ map

    /**
     * Applies {@code function} to every input on the workers and returns the results in
     * input order. Uses the farm's task timeout and retry settings for every input.
     *
     * @param function the function; shipped once per worker
     * @param inputs   the inputs; each must be serializable
     * @param <T>      the input type
     * @param <R>      the result type
     * @return the results, {@code results.get(i)} for {@code inputs.get(i)}
     * @throws RemoteTaskException if an input's call threw (after retries if asked for);
     *                             the message names the input's index
     * @throws TaskLostException   if an input's host was lost more often than allowed
     * @throws VmException         if an input timed out (cause {@link TimeoutException}),
     *                             could not be sent, or the farm was closed meanwhile
     */
    public <T, R> List<R> map(TaskFunction<T, R> function, List<? extends T> inputs) {
        return map(function, inputs, null);
    }

    /**
     * As {@link #map(TaskFunction, List)}, telling {@code progress} after each input.
     *
     * @param function the function
     * @param inputs   the inputs
     * @param progress told the counts after each input finished (on the dispatcher
     *                 thread); every call has been made when {@code map} returns; may be null
     * @param <T>      the input type
     * @param <R>      the result type
     * @return the results in input order
     */
    @SuppressWarnings("unchecked")
    public <T, R> List<R> map(TaskFunction<T, R> function, List<? extends T> inputs, ProgressListener progress) {
        if (function == null) {
            throw new VmException("map: function is null; pass a TaskFunction such as x -> f(x)");
        }
        if (inputs == null) {
            throw new VmException("map: inputs is null; pass a list (List.of() for none)");
        }
        if (dispatcher.isCurrentThread()) {
            throw new VmException("map: called on the task farm's dispatcher thread (from a progress listener, an "
                    + "otherMessages handler or a future's callback), where it would wait for itself; call it from "
                    + "another thread, e.g. with CompletableFuture.supplyAsync(() -> farm.map(...))");
        }
        int n = inputs.size();
        if (n == 0) return List.of();
        MapRun run = ledger.openMap((TaskFunction<Object, Object>) function, n, progress);
        return (List<R>) run.feedAndAwait(ledger, inputs, settings.taskTimeoutNanos());
    }

    // ------------------------------------------------------------------ stats, close

    /**
     * Returns a snapshot of the farm's counters.
     *
     * @return the counters now
     */
    public FarmStats stats() {
        return ledger.stats();
    }

    /**
     * Cancels every task not finished (their futures fail with
     * {@link CancellationException}; a running {@code map} throws), ends the farm's worker
     * tasks, and waits at most {@link Builder#closeTimeout(Duration)} for them to exit.
     * Does not close the VM. Idempotent.
     */
    @Override
    public void close() {
        ledger.close();
        if (dispatcher.isCurrentThread()) return; // called from a callback: the loop ends by itself
        dispatcher.awaitEnd(settings.closeTimeoutNanos());
    }

    // ------------------------------------------------------------------ builder

    /**
     * Settings of a {@link TaskFarm}; every one has a default.
     *
     * <pre>{@code
     * try (TaskFarm farm = TaskFarm.builder(vm)
     *         .taskTimeout(Duration.ofMinutes(10))   // per task, counted from its start on a worker
     *         .lostHostRetries(5)                    // run again elsewhere up to 5 times
     *         .progress(p -> log.info("{} of {}", p.completed(), p.total()))
     *         .build()) {
     *     List<Double> ys = farm.map(x -> simulate(x), xs);
     * }
     * }</pre>
     */
    public static final class Builder {
        private final VirtualMachine vm;
        private int maxQueued = 10_000;
        private int inFlightPerSlot = 2;
        private Duration taskTimeout;
        private int lostHostRetries = 3;
        private int failureRetries;
        private ProgressListener progress;
        private Consumer<Received> otherMessages;
        private boolean spawnPerTask;
        private Duration queueWait = Duration.ofMinutes(10);
        private Duration closeTimeout = Duration.ofSeconds(30);

        private Builder(VirtualMachine vm) {
            if (vm == null) throw new VmException("TaskFarm: vm is null; pass the spawner's open VirtualMachine");
            this.vm = vm;
        }

        /**
         * How many tasks may wait for a worker (default 10,000). {@code submit} blocks while
         * the queue is full, at most {@link #queueWait(Duration)}; {@code map} feeds its
         * inputs as room appears.
         *
         * @param n at least 1
         * @return this builder
         */
        public Builder maxQueued(int n) {
            this.maxQueued = atLeast(n, 1, "maxQueued");
            return this;
        }

        /**
         * How many tasks each resident worker gets at once (default 2): the next is already
         * there when one ends, so a worker never idles between tasks.
         *
         * @param n at least 1
         * @return this builder
         */
        public Builder inFlightPerSlot(int n) {
            this.inFlightPerSlot = atLeast(n, 1, "inFlightPerSlot");
            return this;
        }

        /**
         * The timeout of every task of {@code submit(task)} and {@code map} (default none),
         * counted from when the task starts on its worker.
         *
         * @param d positive, or null for none
         * @return this builder
         */
        public Builder taskTimeout(Duration d) {
            if (d != null) FarmSettings.positiveNanos(d, "taskTimeout");
            this.taskTimeout = d;
            return this;
        }

        /**
         * How many times a task whose worker or host was lost while it ran is run again
         * elsewhere (default 3).
         *
         * @param n 0 or more
         * @return this builder
         */
        public Builder lostHostRetries(int n) {
            this.lostHostRetries = atLeast(n, 0, "lostHostRetries");
            return this;
        }

        /**
         * How many times a task that threw is run again (default 0: a throw fails it).
         *
         * @param n 0 or more
         * @return this builder
         */
        public Builder failureRetries(int n) {
            this.failureRetries = atLeast(n, 0, "failureRetries");
            return this;
        }

        /**
         * Told the farm's totals after every task that finished, on the dispatcher thread.
         *
         * @param l the listener, or null for none
         * @return this builder
         */
        public Builder progress(ProgressListener l) {
            this.progress = l;
            return this;
        }

        /**
         * Takes the messages the dispatcher receives that are not the farm's: messages
         * from tasks (including a farm task's own messages to its parent), exits of tasks
         * spawned outside the farm, {@code HostAdded} and {@code HostRemoved} (after the
         * farm's own bookkeeping). Called on the dispatcher thread. Default: log and drop.
         *
         * @param handler the handler, or null for the default
         * @return this builder
         */
        public Builder otherMessages(Consumer<Received> handler) {
            this.otherMessages = handler;
            return this;
        }

        /**
         * PyOPUS style: run every task as its own {@code spawnFunction} (at most one per free
         * slot) instead of on resident workers. Slower for short tasks; there for comparison
         * and for tasks that need a fresh task each.
         *
         * @param b whether to spawn one task per item
         * @return this builder
         */
        public Builder spawnPerTask(boolean b) {
            this.spawnPerTask = b;
            return this;
        }

        /**
         * How long {@code submit} waits for room in a full queue before it throws (default
         * 10 minutes).
         *
         * @param d positive
         * @return this builder
         */
        public Builder queueWait(Duration d) {
            FarmSettings.positiveNanos(d, "queueWait");
            this.queueWait = d;
            return this;
        }

        /**
         * How long {@link TaskFarm#close()} waits for the farm's worker tasks to exit
         * (default 30 s); a task still running then is left to end by itself.
         *
         * @param d positive
         * @return this builder
         */
        public Builder closeTimeout(Duration d) {
            FarmSettings.positiveNanos(d, "closeTimeout");
            this.closeTimeout = d;
            return this;
        }

        /**
         * Builds the farm and starts its workers.
         *
         * @return the farm
         * @throws VmException on a worker's VM, or if the VM is closed
         */
        public TaskFarm build() {
            if (!vm.isSpawner()) {
                throw new VmException("TaskFarm works only on the spawner, and this is task " + vm.taskId()
                        + "; build it where vm.isSpawner() is true (in VirtualMachine.run's spawner main)");
            }
            return new TaskFarm(vm, new FarmSettings(maxQueued, inFlightPerSlot,
                    taskTimeout == null ? 0 : taskTimeout.toNanos(), lostHostRetries, failureRetries, progress,
                    otherMessages, spawnPerTask, queueWait.toNanos(), closeTimeout.toNanos()));
        }

        private static int atLeast(int n, int min, String name) {
            if (n < min) {
                throw new VmException("TaskFarm." + name + "(" + n + "): must be at least " + min);
            }
            return n;
        }
    }
}

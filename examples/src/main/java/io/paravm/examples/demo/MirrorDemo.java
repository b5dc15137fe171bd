package io.paravm.examples.demo;

import io.paravm.Received;
import io.paravm.TaskExit;
import io.paravm.TaskId;
import io.paravm.TaskResult;
import io.paravm.VirtualMachine;
import io.paravm.VmConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * PyOPUS's demos 04 and 05: input files mirrored to the workers. The spawner writes a few
 * input files into {@value #INPUTS}/ in its working directory; the VM mirrors
 * {@value #INPUTS}/** into a fresh folder for every task on its worker, and the task runs
 * there ({@link VirtualMachine#workDir()}), as an external simulator would. Each task lists
 * what it finds and writes an output file of its own. Then the spawner changes an input,
 * and the next tasks see the new version; the task folders are removed after each task,
 * and {@link VirtualMachine#clearLocalStorage()} clears what is left on every host.
 *
 * <pre>
 * ./paravm demo mirror -np 3
 * </pre>
 */
public final class MirrorDemo {

    /** The directory, relative to the spawner's working directory, whose files are mirrored. */
    static final String INPUTS = "mirror-demo";

    private MirrorDemo() {
    }

    @Command(name = "paravm demo mirror", description = "Mirrors input files into every task's folder on its worker.")
    static final class Options {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        @Option(names = "--keep-inputs", description = "Leave " + INPUTS + "/ in the working directory afterwards.")
        boolean keepInputs;
    }

    /** What a task found in its folder. */
    record Listing(TaskId task, String host, String workDir, List<String> files, String parameters) implements Serializable {
    }

    public static void main(String[] args) throws Exception {
        VmConfig config = VmConfig.builder().args(args).mirror(INPUTS + "/**").build();
        Demos.run(config, new Options(), MirrorDemo::mirror);
    }

    static void mirror(VirtualMachine vm, Options options) throws IOException {
        int workers = Demos.workers(vm, "mirror");
        Path inputs = vm.workDir().resolve(INPUTS);
        try {
            Files.createDirectories(inputs.resolve("models"));
            Files.writeString(inputs.resolve("circuit.cir"), "* an amplifier\nR1 in out 1k\n.include models/opamp.lib\n");
            Files.writeString(inputs.resolve("models").resolve("opamp.lib"), ".model opamp ...\n");
            Files.writeString(inputs.resolve("params.txt"), "gain=10\n");
            System.out.println("The spawner wrote " + INPUTS + "/ in " + vm.workDir() + "; the VM mirrors " + INPUTS
                    + "/** into a fresh folder for each task.");

            System.out.println("---- Round 1: a task on each of the " + workers + " workers lists its folder");
            List<Listing> first = listOnEveryWorker(vm, workers);
            first.forEach(MirrorDemo::print);

            Files.writeString(inputs.resolve("params.txt"), "gain=20\n");
            System.out.println("---- Round 2: the spawner changed params.txt to gain=20; new tasks get the new version");
            List<Listing> second = listOnEveryWorker(vm, workers);
            second.forEach(l -> System.out.println("task " + l.task() + " reads params.txt: " + l.parameters()));

            for (Listing l : first) {
                if (l.host().equals(vm.hostId().name())) {
                    System.out.println("task " + l.task() + "'s folder after the task: "
                            + (Files.exists(Path.of(l.workDir())) ? "still there" : "removed"));
                }
            }
            vm.clearLocalStorage();
            System.out.println("clearLocalStorage(): every worker host's local storage is clear.");
        } finally {
            if (!options.keepInputs) deleteTree(inputs);
        }
    }

    private static List<Listing> listOnEveryWorker(VirtualMachine vm, int workers) {
        List<TaskId> tasks = vm.spawnFunction(w -> {
            Path dir = w.workDir();
            List<String> files = new ArrayList<>();
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.filter(Files::isRegularFile).sorted().toList()) {
                    files.add(dir.relativize(p) + " (" + Files.size(p) + " bytes)");
                }
            }
            // what a simulator would leave behind: it stays in this task's folder
            Files.writeString(dir.resolve("output.raw"), "results of " + w.taskId() + "\n");
            String params = Files.readString(dir.resolve(INPUTS).resolve("params.txt")).strip();
            return new Listing(w.taskId(), w.hostId().name(), dir.toString(), files, params);
        }, workers, null, true);
        List<Listing> listings = new ArrayList<>();
        for (int exited = 0; exited < tasks.size(); ) {
            Received r = Demos.next(vm, "the tasks' listings");
            if (r.message() instanceof TaskResult res) {
                if (!res.success()) throw new IllegalStateException("task " + r.sender() + " failed:\n" + res.error());
                listings.add((Listing) res.value());
            } else if (r.message() instanceof TaskExit) {
                exited++;
            }
        }
        listings.sort(Comparator.comparing(l -> l.task().rank()));
        return listings;
    }

    private static void print(Listing l) {
        System.out.println("task " + l.task() + " on " + l.host() + " runs in " + l.workDir() + ":");
        l.files().forEach(f -> System.out.println("    " + f));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}

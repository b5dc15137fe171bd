package io.paravm.examples.launcher;

import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.List;

/** {@code paravm info}: which transports are installed here, which one {@code run} picks, and why not the others. */
@Command(name = "info", usageHelpAutoWidth = true,
        header = "List the transports: installed here or not (and what to do), and which one `run` picks.",
        description = {
            "Open MPI and MPJ Express run only inside jobs their launchers start (paravm run starts them); "
                    + "Hazelcast runs in any JVM. Each transport is loaded from its own class path "
                    + "(lib-<engine>/) in a class loader of its own.",
            ""})
final class InfoCommand extends LauncherCommand {

    @Override
    protected Integer call(Installation installation) {
        List<EngineStatus> all = EngineStatus.probeAll(installation);
        PrintWriter out = out();
        out.println("ParaVM transports (" + installation.home() + "), best first:");
        for (EngineStatus s : all) {
            out.printf("  %-10s %-14s %s%n", s.engine(), s.installed() ? "installed" : "not installed", s.detail());
            if (!s.installed()) continue;
            String indent = " ".repeat(13);
            if (s.inThisJvm().isEmpty()) {
                out.println(indent + "usable in any JVM; paravm run starts one JVM per rank");
            } else {
                out.println(indent + "runs in jobs " + launcher(s.engine()) + " starts: paravm run --transport "
                        + s.engine() + " starts them");
                out.println(indent + "in a JVM started otherwise, such as this one: " + s.inThisJvm().get());
            }
        }
        out.println();
        out.println("paravm run uses: " + EngineStatus.best(all).map(s -> s.engine().id())
                .orElse("none (nothing is installed)") + " (the best installed one); paravm demo uses: "
                + Engine.HAZELCAST + "; --transport chooses.");
        out.flush();
        return 0;
    }

    private static String launcher(Engine engine) {
        return switch (engine) {
            case OPENMPI -> "mpirun";
            case MPJ -> "MpjLauncher";
            case HAZELCAST -> "HazelcastLauncher";
        };
    }
}

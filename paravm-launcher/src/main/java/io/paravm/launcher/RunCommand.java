package io.paravm.launcher;

import io.paravm.spi.launch.LaunchException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/** {@code paravm run}: starts a program as a ParaVM job on one engine. */
@Command(name = "run", sortOptions = false, usageHelpAutoWidth = true,
        header = "Run a program as a ParaVM job: rank 0 is the spawner, the other ranks are its workers.",
        description = {
            "Starts MAIN on every rank the way the engine wants it (paravm info lists the engines and how "
                    + "each starts its jobs). The engine's jars are added after CLASSPATH. Ctrl-C, or the "
                    + "spawner's end, ends every process it started; the exit status is the job's.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  paravm run -cp examples/target/classes io.paravm.examples.FirstProgram",
            "  paravm run --transport ENGINE -np 4 -cp app.jar com.example.Main arg1",
            "  paravm run -np 3 -J-Xmx1g --timeout 600 -cp app.jar com.example.Main",
            "  paravm run --dashboard=8080 -cp app.jar com.example.Main     (the page's address is in the log)",
            "(paravm info lists the engines; the options above marked with an engine's name go to that engine.)"})
final class RunCommand extends LauncherCommand {

    @Option(names = {"-cp", "-classpath", "--class-path"}, required = true, paramLabel = "CLASSPATH",
            description = "The program's class path: directories, jars and dir/*, separated by ':'.")
    String classPath;

    @Mixin
    JobOptions options;

    @Parameters(index = "0", paramLabel = "MAIN", description = "The class whose main every rank runs.")
    String mainClass;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "The program's arguments.")
    List<String> args = new ArrayList<>();

    RunCommand(EngineCatalog catalog) {
        super(catalog);
    }

    @Override
    public Integer call() {
        Engine engine = options.transport != null ? catalog.find(options.transport) : bestInstalled();
        return JobRunner.run(catalog.installation(), engine, options.ranks, classPath, mainClass, args, options,
                EngineOptions.given(spec, catalog, engine), err());
    }

    /** The installed engine whose recipe ranks highest, announced on stderr in one line. */
    private Engine bestInstalled() {
        Engine best = catalog.best().orElseThrow(() -> new LaunchException(
                "no transport is installed here; `paravm info` says why for each"));
        err().println("paravm: running on " + best.name() + ", the best installed transport (choose with --transport; "
                + "paravm info lists them)");
        err().flush();
        return best;
    }
}

package io.paravm.examples.launcher;

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
            "Starts MAIN on every rank the way the engine wants it: under mpirun for openmpi, with MPJ "
                    + "Express's launcher for mpj, as member JVMs on loopback for hazelcast. The engine's "
                    + "jars are added after CLASSPATH. Ctrl-C, or the spawner's end, ends every process it "
                    + "started; the exit status is the job's.",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {
            "  paravm run -cp examples/target/classes io.paravm.examples.FirstProgram",
            "  paravm run --transport hazelcast -np 4 -cp app.jar com.example.Main arg1",
            "  paravm run -t mpj --device niodev -np 3 -J-Xmx1g -cp app.jar com.example.Main",
            "  paravm run -t openmpi --hosts n1:8,n2:8 -np 16 -cp app.jar com.example.Main"})
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

    @Override
    protected Integer call(Installation installation) {
        Engine engine = options.transport != null ? options.transport
                : JobRunner.bestInstalled(installation, err());
        return JobRunner.run(installation, new Job(engine, options.ranks, options.hosts, options.device, classPath,
                mainClass, args, options.jvmOptions, options.timeout()), err());
    }
}

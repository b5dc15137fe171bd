package io.paravm.transport.mpj;

import io.paravm.spi.launch.LaunchException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/**
 * {@link MpjLauncher}'s command line, read by picocli into an {@link MpjJob}. Everything
 * from the main class on is the program's, options included; {@code @file} is not expanded.
 *
 * <pre>{@code
 * MpjJob job = MpjCommandLine.parse("-np", "4", "-dev", "niodev", "-J-Xmx1g", "-cp", "app.jar", "com.example.Main", "-v");
 * }</pre>
 */
@Command(name = "MpjLauncher", sortOptions = false, separator = " ",
        customSynopsis = {"MpjLauncher -np N -dev multicore|niodev [-J<jvm option>]...",
                "                   [-cp CLASSPATH] MAIN [ARGS...]"},
        description = "Runs MAIN on N ranks of MPJ Express; rank 0 is the spawner. Exits with the job's status "
                + "(2 when the job cannot start).")
final class MpjCommandLine {

    @Option(names = "-np", required = true, paramLabel = "N", description = "The number of ranks, the spawner included.")
    int ranks;

    @Option(names = "-dev", required = true, paramLabel = "DEVICE", converter = DeviceConverter.class,
            description = "multicore (ranks are threads of one JVM) or niodev (one JVM per rank, over TCP).")
    MpjDevice device;

    @Option(names = "-J", paramLabel = "JVM_OPTION", description = "An option for the rank JVMs, e.g. -J-Xmx1g; repeat for more.")
    List<String> jvmOptions = new ArrayList<>();

    @Option(names = {"-cp", "-classpath"}, paramLabel = "CLASSPATH",
            description = "The program's class path, with transport-mpj; default: this JVM's.")
    String classPath = System.getProperty("java.class.path");

    @Parameters(index = "0", paramLabel = "MAIN", description = "The class whose main every rank runs.")
    String mainClass;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "The program's arguments.")
    List<String> args = new ArrayList<>();

    private MpjCommandLine() {
    }

    /**
     * @param argv {@code -np N -dev multicore|niodev [-J<jvm option>]... [-cp CLASSPATH] MAIN [ARGS...]}
     * @return the job
     * @throws LaunchException naming what is wrong with the command line
     */
    static MpjJob parse(String... argv) {
        MpjCommandLine line = new MpjCommandLine();
        try {
            commandLine(line).parseArgs(argv);
        } catch (CommandLine.ParameterException e) {
            throw new LaunchException(e.getMessage(), e);
        }
        return new MpjJob(line.ranks, line.device, line.classPath, line.mainClass, line.args, line.jvmOptions);
    }

    /** Returns the usage, for a message after a bad command line. */
    static String usage() {
        return commandLine(new MpjCommandLine()).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    private static CommandLine commandLine(MpjCommandLine line) {
        return new CommandLine(line).setStopAtPositional(true).setExpandAtFiles(false);
    }

    /** Reads {@code -dev}, naming the devices when the value is none of them. */
    static final class DeviceConverter implements CommandLine.ITypeConverter<MpjDevice> {
        @Override
        public MpjDevice convert(String value) {
            try {
                return MpjDevice.parse("-dev", value);
            } catch (LaunchException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}

package io.paravm.examples.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The {@code paravm} command: runs programs and demos as ParaVM jobs on Open MPI, MPJ
 * Express or Hazelcast, and says which of them are installed.
 *
 * <pre>
 * ./paravm demo mandelbrot
 * ./paravm run --transport mpj -np 4 -cp app.jar com.example.Main
 * ./paravm info
 * </pre>
 */
@Command(name = "paravm", mixinStandardHelpOptions = true, versionProvider = Paravm.Version.class,
        usageHelpAutoWidth = true, synopsisSubcommandLabel = "COMMAND",
        header = "Run ParaVM programs and demos on Open MPI, MPJ Express or Hazelcast.",
        description = {
            "A ParaVM job runs one program on N ranks: rank 0 is the spawner, which farms work out to "
                    + "the others. paravm starts the job the way each engine wants, and ends every process it "
                    + "started when the job ends or you press Ctrl-C.",
            ""},
        commandListHeading = "%nCommands:%n",
        subcommands = {DemoCommand.class, RunCommand.class, InfoCommand.class, HelpCommand.class},
        footerHeading = "%nStart here:%n",
        footer = {"  paravm demo mandelbrot       a demo on Hazelcast members, nothing to install",
            "  paravm info                  which engines are installed here",
            "  paravm help run              how to run your own program"})
public final class Paravm implements Runnable {

    @Spec
    CommandSpec spec;

    private Paravm() {
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a command: demo, run, info or help");
    }

    /**
     * Runs {@code paravm}; exits with the job's exit status, or 2 when no job could be started.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** Returns the {@code paravm} command line, ready to execute. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Paravm());
        // run: everything after MAIN is the program's, as with java and mpirun.
        cl.getSubcommands().get("run").setStopAtPositional(true);
        // demo: options paravm does not know go to the demo (`paravm demo mandelbrot -np 3 --width 400`).
        CommandLine demo = cl.getSubcommands().get("demo");
        demo.setUnmatchedOptionsArePositionalParams(true);
        DemoCommand.addDemoList(demo);
        // A mistake on the command line: the message and where to read more, not the whole help.
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine bad = e.getCommandLine();
            bad.getErr().println("paravm: " + e.getMessage());
            UnmatchedArgumentException.printSuggestions(e, bad.getErr());
            bad.getErr().println("Try '" + bad.getCommandSpec().qualifiedName() + " --help' for more.");
            return LaunchException.EXIT_STATUS;
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (!(e instanceof LaunchException)) throw e;
            commandLine.getErr().println("paravm: " + e.getMessage());
            return LaunchException.EXIT_STATUS;
        });
        return cl;
    }

    /** {@code paravm --version}: the project's version, filtered in at build time. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Paravm.class.getResourceAsStream("version.properties")) {
                if (in != null) p.load(in);
            }
            return new String[] {"ParaVM " + p.getProperty("version", "(unknown version)"), "Java "
                    + System.getProperty("java.version") + " (" + System.getProperty("java.home") + ")"};
        }
    }
}

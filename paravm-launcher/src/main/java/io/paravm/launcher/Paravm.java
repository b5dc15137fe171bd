package io.paravm.launcher;

import io.paravm.spi.launch.LaunchException;
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
 * The {@code paravm} command: runs programs and demos as ParaVM jobs on every engine built
 * into the installation, and says which of them are installed here. It knows no engine by
 * name: each transport module's {@link io.paravm.spi.launch.EngineLauncher} says how to
 * start a job on its engine.
 *
 * <pre>
 * ./paravm demo mandelbrot
 * ./paravm run --transport mpj -np 4 -cp app.jar com.example.Main
 * ./paravm info
 * </pre>
 */
@Command(name = "paravm", mixinStandardHelpOptions = true, versionProvider = Paravm.Version.class,
        usageHelpAutoWidth = true, synopsisSubcommandLabel = "COMMAND",
        header = "Run ParaVM programs and demos on any message-passing engine built in (paravm info lists them).",
        description = {
            "A ParaVM job runs one program on N ranks: rank 0 is the spawner, which farms work out to "
                    + "the others. paravm starts the job the way each engine wants, and ends every process it "
                    + "started when the job ends or you press Ctrl-C.",
            ""},
        commandListHeading = "%nCommands:%n",
        footerHeading = "%nStart here:%n",
        footer = {"  paravm demo mandelbrot       a demo on an engine that needs nothing installed",
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
        int status;
        try {
            status = commandLine(Installation.locate()).execute(args);
        } catch (LaunchException e) {
            System.err.println("paravm: " + e.getMessage());
            status = LaunchException.EXIT_STATUS;
        }
        System.exit(status);
    }

    /**
     * Returns the {@code paravm} command line over an installation, ready to execute.
     *
     * @param installation where the engines and demos are
     * @return the command line
     */
    public static CommandLine commandLine(Installation installation) {
        EngineCatalog catalog = EngineCatalog.load(installation);
        CommandLine cl = new CommandLine(new Paravm());
        RunCommand run = new RunCommand(catalog);
        DemoCommand demo = new DemoCommand(catalog);
        cl.addSubcommand("demo", demo).addSubcommand("run", run).addSubcommand("info", new InfoCommand(catalog))
                .addSubcommand("help", new HelpCommand());
        CommandLine runLine = cl.getSubcommands().get("run");
        CommandLine demoLine = cl.getSubcommands().get("demo");
        EngineOptions.addTo(runLine.getCommandSpec(), catalog);
        EngineOptions.addTo(demoLine.getCommandSpec(), catalog);
        // run: everything after MAIN is the program's, as with java and mpirun.
        runLine.setStopAtPositional(true);
        // demo: options paravm does not know go to the demo (`paravm demo mandelbrot -np 3 --width 400`).
        demoLine.setUnmatchedOptionsArePositionalParams(true);
        demo.addDemoList(demoLine);
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

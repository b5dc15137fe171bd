package io.paravm.examples.launcher;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** What every {@code paravm} subcommand has: {@code --help}, the installation, and the launcher's stderr. */
abstract class LauncherCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Override
    public final Integer call() {
        return call(Installation.locate());
    }

    /**
     * Runs the command.
     *
     * @param installation where the demos and the engines' class paths are
     * @return the exit status
     */
    protected abstract Integer call(Installation installation);

    /** Returns where the launcher's own messages go. */
    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Returns where the command's output goes. */
    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }
}

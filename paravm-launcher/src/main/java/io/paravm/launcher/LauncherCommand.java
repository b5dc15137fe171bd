package io.paravm.launcher;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** What every {@code paravm} subcommand has: {@code --help}, the installation's engines, and the launcher's stderr. */
abstract class LauncherCommand implements Callable<Integer> {

    /** The installation's engines, looked at once when the command line is built. */
    protected final EngineCatalog catalog;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    LauncherCommand(EngineCatalog catalog) {
        this.catalog = catalog;
    }

    /** Returns where the launcher's own messages go. */
    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Returns where the command's output goes. */
    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }
}

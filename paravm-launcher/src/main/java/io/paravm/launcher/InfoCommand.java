package io.paravm.launcher;

import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** {@code paravm info}: which engines this installation has, which are installed here, which one {@code run} picks, and why not the others. */
@Command(name = "info", usageHelpAutoWidth = true,
        header = "List the transports: installed here or not (and what to do), and which one `run` picks.",
        description = {
            "Each transport is loaded from its own class path (engines/<engine>/ of the installation) in a "
                    + "class loader of its own; its launch recipe says whether it is installed here.",
            ""})
final class InfoCommand extends LauncherCommand {

    InfoCommand(EngineCatalog catalog) {
        super(catalog);
    }

    @Override
    public Integer call() {
        PrintWriter out = out();
        out.println("ParaVM transports (" + catalog.installation().home() + "), best first:");
        for (Engine e : catalog.engines()) {
            out.printf("  %-10s %-14s %s%n", e.name(), e.installed() ? "installed" : "not installed", e.check().detail());
            out.println(" ".repeat(27) + e.recipe().summary());
        }
        for (String problem : catalog.problems()) out.println("  problem: " + problem);
        out.println();
        out.println("paravm run uses: " + catalog.best().map(Engine::name).orElse("none (nothing is installed)")
                + " (the best installed one); paravm demo uses: " + DemoCommand.defaultEngine(catalog).map(Engine::name)
                .orElse("none") + "; --transport chooses.");
        out.println("An engine missing from this list was not built into this installation: install its "
                + "libraries (the README's set-up says how) and run ./paravm again, which rebuilds.");
        out.flush();
        return 0;
    }
}

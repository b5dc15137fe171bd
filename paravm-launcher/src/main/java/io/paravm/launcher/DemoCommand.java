package io.paravm.launcher;

import io.paravm.spi.launch.LaunchException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@code paravm demo}: runs one of the demos through {@code paravm run}, on an engine that needs nothing installed unless told otherwise. */
@Command(name = "demo", sortOptions = false, usageHelpAutoWidth = true,
        header = "Run a demo: the VM at work, on any engine (default: one that needs nothing installed).",
        description = {
            "Runs NAME as `paravm run` would, with the demos' class path. The demos write their files "
                    + "(mandelbrot.png, ...) to the current directory. Arguments after NAME that paravm does not "
                    + "take go to the demo; after -- all do (paravm demo mandelbrot -- --help lists its own).",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {"  paravm demo mandelbrot",
            "  paravm demo optimize -np 5 --transport ENGINE",
            "  paravm demo mandelbrot --dashboard     (watch it live: the address is in the log)",
            "  paravm demo mandelbrot -- --help"})
final class DemoCommand extends LauncherCommand {

    private static final String DEMOS_SECTION = "demos";

    private final List<Demo> demos;

    @Mixin
    JobOptions options;

    @Parameters(index = "0", paramLabel = "NAME", description = "The demo, one of the list below.")
    String demoName;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "The demo's own arguments (each demo's --help lists them).")
    List<String> args = new ArrayList<>();

    DemoCommand(EngineCatalog catalog) {
        super(catalog);
        this.demos = Demo.list(catalog.installation().demos());
    }

    @Override
    public Integer call() {
        Demo demo = Demo.find(demos, demoName);
        Engine engine;
        if (options.transport != null) {
            engine = catalog.find(options.transport);
        } else {
            engine = defaultEngine(catalog).orElseThrow(() -> new LaunchException(
                    "no transport is installed here; `paravm info` says why for each"));
            err().println("paravm: demo " + demo.name() + " on " + engine.name() + ", " + options.ranks + " ranks "
                    + "(choose with --transport and -np)");
            err().flush();
        }
        return JobRunner.run(catalog.installation(), engine, options.ranks,
                Installation.classPath(catalog.installation().demos()), demo.mainClass(), args, options,
                EngineOptions.given(spec, catalog, engine), err());
    }

    /** The engine demos run on by default: the best installed one that needs nothing installed, else the best installed. */
    static Optional<Engine> defaultEngine(EngineCatalog catalog) {
        return catalog.engines().stream().filter(e -> e.installed() && e.recipe().embedded()).findFirst()
                .or(catalog::best);
    }

    /** Adds the list of demos, a line each with its description wrapped beside it, to {@code demo --help}. */
    void addDemoList(CommandLine demo) {
        demo.getHelpSectionMap().put(DEMOS_SECTION, help -> {
            TextTable table = TextTable.forColumns(help.colorScheme(),
                    new Column(14, 2, Column.Overflow.SPAN),
                    new Column(help.commandSpec().usageMessage().width() - 14, 1, Column.Overflow.WRAP));
            for (Demo d : demos) table.addRowValues(d.name(), d.description());
            return String.format("%nDemos:%n") + table;
        });
        List<String> order = new ArrayList<>(demo.getHelpSectionKeys());
        order.add(order.indexOf(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER_HEADING), DEMOS_SECTION);
        demo.setHelpSectionKeys(order);
    }
}

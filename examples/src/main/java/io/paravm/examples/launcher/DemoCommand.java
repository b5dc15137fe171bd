package io.paravm.examples.launcher;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.TextTable;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/** {@code paravm demo}: runs one of the demos through {@code paravm run}, on Hazelcast unless told otherwise. */
@Command(name = "demo", sortOptions = false, usageHelpAutoWidth = true,
        header = "Run a demo: the VM at work, on any engine (default: hazelcast, which needs nothing installed).",
        description = {
            "Runs NAME as `paravm run` would, with the demos' class path. The demos write their files "
                    + "(mandelbrot.png, ...) to the current directory. Arguments after NAME that paravm does not "
                    + "take go to the demo; after -- all do (paravm demo mandelbrot -- --help lists its own).",
            ""},
        footerHeading = "%nExamples:%n",
        footer = {"  paravm demo mandelbrot",
            "  paravm demo optimize -np 5 --transport mpj",
            "  paravm demo messaging --transport openmpi -np 2"})
final class DemoCommand extends LauncherCommand {

    private static final String DEMOS_SECTION = "demos";

    @Mixin
    JobOptions options;

    @Parameters(index = "0", paramLabel = "NAME", converter = DemoConverter.class,
            description = "The demo, one of the list below.")
    Demo demo;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "The demo's own arguments (each demo's --help lists them).")
    List<String> args = new ArrayList<>();

    @Override
    protected Integer call(Installation installation) {
        Engine engine = options.transport != null ? options.transport : Engine.HAZELCAST;
        if (options.transport == null) {
            err().println("paravm: demo " + demo.id() + " on hazelcast, " + options.ranks + " member JVMs on loopback "
                    + "(choose with --transport and -np)");
            err().flush();
        }
        return JobRunner.run(installation, new Job(engine, options.ranks, options.hosts, options.device,
                installation.classes().toString(), demo.mainClass(), args, options.jvmOptions, options.timeout()), err());
    }

    /** Adds the list of demos, a line each with its description wrapped beside it, to {@code demo --help}. */
    static void addDemoList(CommandLine demo) {
        demo.getHelpSectionMap().put(DEMOS_SECTION, help -> {
            TextTable table = TextTable.forColumns(help.colorScheme(),
                    new Column(14, 2, Column.Overflow.SPAN),
                    new Column(help.commandSpec().usageMessage().width() - 14, 1, Column.Overflow.WRAP));
            for (Demo d : Demo.values()) table.addRowValues(d.id(), d.description());
            return String.format("%nDemos:%n") + table;
        });
        List<String> order = new ArrayList<>(demo.getHelpSectionKeys());
        order.add(order.indexOf(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER_HEADING), DEMOS_SECTION);
        demo.setHelpSectionKeys(order);
    }

    /** Takes a demo's name in any case. */
    static final class DemoConverter implements ITypeConverter<Demo> {
        @Override
        public Demo convert(String value) {
            try {
                return Demo.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}

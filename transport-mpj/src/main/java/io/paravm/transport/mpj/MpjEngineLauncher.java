package io.paravm.transport.mpj;

import io.paravm.spi.launch.EngineCheck;
import io.paravm.spi.launch.EngineLauncher;
import io.paravm.spi.launch.LaunchException;
import io.paravm.spi.launch.LaunchOption;
import io.paravm.spi.launch.LaunchRequest;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

/**
 * MPJ Express's launch recipe: a job is one JVM running {@link MpjLauncher} on the engine's
 * class path, which starts the ranks. It looks at MPJ's home and builds a command line
 * only; it never loads MPJ's classes (package {@code mpi}, as Open MPI's).
 *
 * <pre>{@code
 * EngineLauncher mpj = new MpjEngineLauncher();
 * if (mpj.check().installed()) {
 *     ProcessBuilder job = mpj.command(new LaunchRequest(4, "app.jar", "lib-mpj/*", "com.example.Main",
 *             List.of(), List.of("-Xmx1g"), Map.of("--device", "niodev"), Path.of("/usr/bin/java")));
 * }
 * }</pre>
 */
public final class MpjEngineLauncher implements EngineLauncher {

    /** The option choosing the device: {@code multicore} (the default) or {@code niodev}. */
    public static final String DEVICE_OPTION = "--device";

    @Override
    public String name() {
        return MpjTransportProvider.NAME;
    }

    @Override
    public int priority() {
        return MpjTransportProvider.PRIORITY;
    }

    @Override
    public String summary() {
        return "MPJ Express; ranks are threads of one JVM (--device multicore) or JVMs over TCP (niodev), "
                + "started by MpjLauncher";
    }

    @Override
    public EngineCheck check() {
        MpjHome home = MpjHome.locate();
        return home.problem().map(EngineCheck::missing).orElseGet(() -> EngineCheck.installed(
                "devices multicore (ranks are threads) and niodev (ranks are JVMs); MPJ_HOME " + home));
    }

    @Override
    public List<LaunchOption> options() {
        return List.of(new LaunchOption(DEVICE_OPTION, "DEVICE", "MPJ Express's device: multicore (the default; ranks "
                + "are threads of one JVM) or niodev (one JVM per rank, over TCP)."));
    }

    /**
     * {@code java -cp ENGINE[:PROGRAM] -Dparavm.mpj.home=HOME MpjLauncher -np N -dev DEVICE
     * [-J<jvm option>]... -cp RANK_CLASSPATH MAIN [args]}: the launcher JVM runs on the
     * engine's class path, then the program's (for its logging configuration), and looks in
     * the MPJ home this recipe's {@link #check()} saw.
     */
    @Override
    public ProcessBuilder command(LaunchRequest request) {
        MpjDevice device = request.option(DEVICE_OPTION).map(d -> MpjDevice.parse(DEVICE_OPTION, d))
                .orElse(MpjDevice.MULTICORE);
        MpjHome home = MpjHome.locate().requireInstalled();
        String launcherClassPath = request.classPath().isEmpty() ? request.engineClassPath()
                : request.engineClassPath() + File.pathSeparator + request.classPath();
        List<String> cmd = new ArrayList<>(List.of(request.java().toString(), "-cp", launcherClassPath,
                "-D" + MpjProperties.HOME_PROP_NAME + "=" + home, MpjLauncher.class.getName(),
                "-np", Integer.toString(request.ranks()), "-dev", device.id()));
        request.jvmOptions().forEach(o -> cmd.add("-J" + o));
        cmd.addAll(List.of("-cp", request.rankClassPath(), request.mainClass()));
        cmd.addAll(request.args());
        return new ProcessBuilder(cmd);
    }
}

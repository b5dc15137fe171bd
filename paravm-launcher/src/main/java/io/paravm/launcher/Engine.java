package io.paravm.launcher;

import io.paravm.spi.launch.EngineCheck;
import io.paravm.spi.launch.EngineLauncher;
import io.paravm.spi.launch.LaunchOption;

import java.io.File;
import java.nio.file.Path;
import java.util.List;

/**
 * One engine of the installation: its launch recipe, loaded from its own class path
 * ({@code engines/<dir>/}), and that class path, which every rank gets after the program's.
 *
 * @param recipe the engine's {@link EngineLauncher}
 * @param dir    its run-time class path directory
 * @param check  what the recipe found when the installation was looked at
 */
record Engine(EngineLauncher recipe, Path dir, EngineCheck check) {

    /** Returns the engine's name, as {@code --transport} takes it. */
    String name() {
        return recipe.name();
    }

    /** Returns whether a job can be started on it here. */
    boolean installed() {
        return check.installed();
    }

    /** Returns the options the engine takes beyond the common ones. */
    List<LaunchOption> options() {
        return recipe.options();
    }

    /**
     * Returns the engine's class path: its jars, then those of the installation's {@code conf/}
     * (the logging set-up of the engine's launcher JVM and of the ranks, in a jar so that Java's
     * class data sharing takes the path: {@link ClassDataCache}).
     *
     * @param conf the installation's {@code conf/}
     */
    String classPath(Path conf) {
        return Installation.classPath(dir) + File.pathSeparator + Installation.classPath(conf);
    }

    @Override
    public String toString() {
        return name();
    }
}

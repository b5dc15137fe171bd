package io.paravm.transport.openmpi;

import io.paravm.spi.launch.EngineLauncher;
import io.paravm.spi.launch.LaunchRequest;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Prints what the launch recipes found on the class path say; the recipe test runs it without Open MPI's jar or mpirun. */
public final class OpenMpiRecipeProbe {
    private OpenMpiRecipeProbe() {
    }

    public static void main(String[] args) {
        LaunchRequest oneRank = new LaunchRequest(1, "", "engine.jar", "Main", List.of(), List.of(), Map.of(), Path.of("java"));
        ServiceLoader.load(EngineLauncher.class).forEach(r -> System.out.println(r.name() + ": " + r.check()
                + "; command " + r.command(oneRank).command()));
    }
}

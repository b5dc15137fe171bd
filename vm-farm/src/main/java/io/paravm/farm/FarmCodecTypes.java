package io.paravm.farm;

import io.paravm.spi.CodecTypes;

import java.util.Map;

/**
 * Hands the farm's wire records to the VM's codec at fixed ids, so each job and outcome
 * carries a small id instead of a class name. Found by {@link java.util.ServiceLoader}
 * through {@code META-INF/services/io.paravm.spi.CodecTypes}; not called by users.
 *
 * <pre>{@code
 * for (CodecTypes provider : ServiceLoader.load(CodecTypes.class)) {
 *     provider.types().forEach((id, type) -> kryo.register(type, id));   // 200=Job, 201=Outcome, ...
 * }
 * }</pre>
 *
 * <p>Once released, an id stays with its record: ranks with different tables refuse each
 * other at hello.
 */
public final class FarmCodecTypes implements CodecTypes {

    /** The farm's records, each at its id; a new record takes the next free id, never a used one. */
    private static final Map<Integer, Class<?>> TYPES = Map.of(
            200, Job.class,
            201, Outcome.class,
            202, InstallFunction.class,
            203, SkipJob.class,
            204, StopWorker.class);

    /** Called by {@link java.util.ServiceLoader}. */
    public FarmCodecTypes() {
    }

    @Override
    public Map<Integer, Class<?>> types() {
        return TYPES;
    }
}

package io.paravm.spi;

import java.util.Map;

/**
 * Types a module hands down to the codec so they travel as small, stable ids instead of
 * class names: the wire records of a layer above vm-core (the task farm's, a dashboard's).
 * Found with {@link java.util.ServiceLoader} through
 * {@code META-INF/services/io.paravm.spi.CodecTypes}, so vm-core never names a class of the
 * layers above it.
 *
 * <p>Ids are explicit, not counted: whatever order the class path lists the providers in on
 * each rank, a type has the same id everywhere. They lie in [{@value #FIRST_ID},
 * {@value #LAST_ID}]; two providers claiming one id, or an id outside that range, fail the
 * VM's start with a message naming both. Ranks compare a hash of the whole table, each
 * record's components and each enum's constants included, when they say hello, so a rank with
 * another version of a module on its class path is refused with a clear message rather than
 * decoding garbage.
 *
 * <pre>{@code
 * public final class FarmCodecTypes implements CodecTypes {
 *     public Map<Integer, Class<?>> types() {
 *         return Map.of(200, Job.class, 201, Outcome.class);
 *     }
 * }
 * }</pre>
 */
public interface CodecTypes {

    /** The lowest id a provider may use; the ids below are vm-core's own. */
    int FIRST_ID = 200;

    /** The highest id a provider may use. */
    int LAST_ID = 999;

    /**
     * Returns the types to register, each with its id in [{@value #FIRST_ID}, {@value #LAST_ID}].
     * Once released, a type keeps its id.
     *
     * @return id to type
     */
    Map<Integer, Class<?>> types();
}

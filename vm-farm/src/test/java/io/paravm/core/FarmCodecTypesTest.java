package io.paravm.core;

import io.paravm.farm.FarmCodecTypes;
import io.paravm.spi.CodecTypes;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The farm's wire records reach vm-core's codec through the {@link CodecTypes} SPI, each at
 * its fixed id. It sits in vm-core's package to read the codec's table, which the ranks'
 * hello compares.
 */
class FarmCodecTypesTest {

    private static final ClassLoader LOADER = FarmCodecTypesTest.class.getClassLoader();

    @Test
    void serviceLoaderFindsTheFarmsProvider() {
        assertEquals(1, ServiceLoader.load(CodecTypes.class, LOADER).stream()
                .filter(p -> p.type() == FarmCodecTypes.class).count(), "META-INF/services lists FarmCodecTypes once");
    }

    @Test
    void eachFarmRecordComesBackEqualThroughTheCodec() throws Exception {
        Codec codec = new Codec(LOADER);
        List<Object> sent = new ArrayList<>();
        for (String name : List.of("Job", "Outcome", "SkipJob", "StopWorker")) {
            Class<?> type = Class.forName("io.paravm.farm." + name);
            Constructor<?> c = type.getDeclaredConstructors()[0];
            c.setAccessible(true);
            sent.add(switch (name) {
                case "Job" -> c.newInstance(Long.MAX_VALUE, -1, List.of("arg"));
                case "Outcome" -> c.newInstance(Long.MIN_VALUE, (byte) 2, new int[0].length);
                case "SkipJob" -> c.newInstance(7L);
                default -> c.newInstance();
            });
        }
        for (Object value : sent) {
            FrameWriter w = new FrameWriter();
            w.start();
            codec.encode(value, w);
            assertEquals(value, codec.decode(w.finish().duplicate().order(ByteOrder.LITTLE_ENDIAN)));
        }
    }

    @Test
    void codecRegistersTheFarmsRecordsAtIds200To204() {
        // After vm-core's own (100-108), each with the layout a rank's hello is compared on.
        String table = new Codec(LOADER).describeTypeTable();
        assertTrue(table.endsWith("; 108=io.paravm.core.Hello(java.lang.String host, int cpus, long pid, int slots, "
                + "long typeTableHash, java.lang.String typeTable); 200=io.paravm.farm.Job(long id, int fn, java.lang.Object arg); "
                + "201=io.paravm.farm.Outcome(long id, byte status, java.lang.Object value); "
                + "202=io.paravm.farm.InstallFunction(int id, io.paravm.farm.TaskFunction<?, ?> function); "
                + "203=io.paravm.farm.SkipJob(long id); 204=io.paravm.farm.StopWorker()"), table);
    }
}

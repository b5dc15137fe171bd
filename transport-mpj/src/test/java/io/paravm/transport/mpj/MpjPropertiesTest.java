package io.paravm.transport.mpj;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code .millis} settings, and the {@code .ms} names they replaced. */
class MpjPropertiesTest {

    private static final String OLD_GRACE = "paravm.mpj.exit.grace.ms";

    @AfterEach
    void clear() {
        System.clearProperty(OLD_GRACE);
        System.clearProperty(MpjProperties.EXIT_GRACE_MILLIS_PROP_NAME);
    }

    @Test
    void anOldNameStillWorksAndTheNewOneWinsWhenBothAreSet() {
        assertEquals(MpjProperties.EXIT_GRACE_MILLIS_DEFAULT, MpjProperties.longProperty(
                MpjProperties.EXIT_GRACE_MILLIS_PROP_NAME, MpjProperties.EXIT_GRACE_MILLIS_DEFAULT));
        System.setProperty(OLD_GRACE, "2000");
        assertEquals(2000, MpjProperties.longProperty(MpjProperties.EXIT_GRACE_MILLIS_PROP_NAME, 1));
        System.setProperty(MpjProperties.EXIT_GRACE_MILLIS_PROP_NAME, "3000");
        assertEquals(3000, MpjProperties.longProperty(MpjProperties.EXIT_GRACE_MILLIS_PROP_NAME, 1));
    }

    @Test
    void ranksAreGivenAnOldNameUnderItsNewOne() {
        System.setProperty(OLD_GRACE, "2000");
        MpjJob job = new MpjJob(2, MpjDevice.NIODEV, "app.jar", "Main", List.of(), List.of());
        List<String> rank = RankCommand.niodev(job, new MpjHome(Path.of("mpj")), 1, "conf").command();
        assertTrue(rank.contains("-D" + MpjProperties.EXIT_GRACE_MILLIS_PROP_NAME + "=2000"), rank.toString());
        assertFalse(rank.stream().anyMatch(a -> a.startsWith("-D" + OLD_GRACE)), rank.toString());
    }

    @Test
    void everyNameReadIsDeclaredAndEveryOldNameMapsToADeclaredOne() {
        MpjPropertyNames names = new MpjPropertyNames();
        assertTrue(names.names().containsAll(List.of(MpjProperties.EXIT_GRACE_MILLIS_PROP_NAME,
                MpjProperties.STARTUP_TIMEOUT_MILLIS_PROP_NAME, MpjProperties.PROTOCOL_SWITCH_BYTES_PROP_NAME,
                MpjProperties.HOME_PROP_NAME, MpjProperties.DEVICE_PROP_NAME)), names.names().toString());
        assertEquals(MpjProperties.EXIT_GRACE_MILLIS_PROP_NAME, names.deprecatedNames().get(OLD_GRACE));
        assertEquals(MpjProperties.STARTUP_TIMEOUT_MILLIS_PROP_NAME,
                names.deprecatedNames().get("paravm.mpj.startup.timeout.ms"));
        assertTrue(names.names().containsAll(names.deprecatedNames().values()));
        assertTrue(names.names().stream().allMatch(n -> n.startsWith("paravm.mpj.")) && names.names().stream()
                .noneMatch(n -> n.endsWith(".ms")), names.names().toString());
    }
}

package io.paravm;

import io.paravm.spi.PropertyNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A setting is read under its name, else under a deprecated name a {@link PropertyNames} provider declares. */
class VmConfigPropertyTest {

    /** A module that renamed {@code paravm.test.wait.ms} (registered in this module's test resources). */
    public static final class Renamed implements PropertyNames {
        @Override
        public Set<String> names() {
            return Set.of("paravm.test.wait.millis");
        }

        @Override
        public Map<String, String> deprecatedNames() {
            return Map.of("paravm.test.wait.ms", "paravm.test.wait.millis");
        }
    }

    @AfterEach
    void clearSettings() {
        System.clearProperty("paravm.test.wait.ms");
        System.clearProperty("paravm.test.wait.millis");
    }

    @Test
    void anOldNameIsReadWhereTheNewOneIsAskedFor() {
        assertEquals(Optional.empty(), VmConfig.defaults().property("paravm.test.wait.millis"));
        System.setProperty("paravm.test.wait.ms", "250");
        assertEquals(Optional.of("250"), VmConfig.defaults().property("paravm.test.wait.millis"));
        assertEquals(Optional.of("300"), VmConfig.builder().property("paravm.test.wait.ms", "300").build()
                .property("paravm.test.wait.millis"), "the config's own properties come before system properties");
    }

    @Test
    void theNewNameWinsOverTheOld() {
        System.setProperty("paravm.test.wait.ms", "250");
        System.setProperty("paravm.test.wait.millis", "100");
        assertEquals(Optional.of("100"), VmConfig.defaults().property("paravm.test.wait.millis"));
    }

    @Test
    void aNullNameIsRefusedNamingTheParameter() {
        NullPointerException e = assertThrows(NullPointerException.class, () -> VmConfig.defaults().property(null));
        assertEquals("name", e.getMessage());
    }
}

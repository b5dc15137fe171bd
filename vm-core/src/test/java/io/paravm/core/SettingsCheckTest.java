package io.paravm.core;

import io.paravm.VmConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Unknown and deprecated {@code paravm.*} settings are named, with the nearest known one; absent modules' are not. */
class SettingsCheckTest {

    private static final SettingsCheck.Known KNOWN = new SettingsCheck.Known(
            Set.of("paravm.worker.slots", "paravm.core.orphan.grace.millis", "paravm.transport",
                    "paravm.transport.*.disabled", "paravm.hazelcast.secret"),
            Map.of("paravm.core.orphan.grace.ms", "paravm.core.orphan.grace.millis"));

    @AfterEach
    void clearSettings() {
        System.clearProperty("paravm.core.orphan.grace.ms");
        System.clearProperty(OrphanWatch.GRACE_MILLIS_PROP_NAME);
    }

    private static List<String> warningsFor(String... given) {
        return SettingsCheck.warnings(List.of(given), KNOWN);
    }

    @Test
    void knownSettingsAndPatternsAreNotWarnedAbout() {
        assertEquals(List.of(), warningsFor("paravm.worker.slots", "paravm.transport", "paravm.transport.mpj.disabled",
                "PARAVM_HAZELCAST_SECRET", "PARAVM_TRANSPORT"));
    }

    @Test
    void anUnknownSettingOfAPresentModuleNamesTheNearestKnownOne() {
        List<String> w = warningsFor("paravm.worker.slot", "paravm.transport.mpj.disable");
        assertEquals(2, w.size(), w::toString);
        assertTrue(w.get(0).contains("setting paravm.worker.slot ") && w.get(0).contains("nearest known setting is "
                + "paravm.worker.slots"), w.get(0));
        assertTrue(w.get(1).contains("nearest known setting is paravm.transport.mpj.disabled"), w.get(1));
    }

    @Test
    void anEnvironmentVariableIsComparedByItsSettingName() {
        List<String> w = warningsFor("PARAVM_WORKER_SLOTZ");
        assertEquals(1, w.size(), w::toString);
        assertTrue(w.get(0).startsWith("environment variable PARAVM_WORKER_SLOTZ ")
                && w.get(0).contains("paravm.worker.slots"), w.get(0));
    }

    @Test
    void anAbsentModulesSettingIsLeftAloneUnlessItIsATypoOfAKnownOne() {
        assertEquals(List.of(), warningsFor("paravm.mpj.device", "PARAVM_TCK_TIMEOUT_SECONDS", "paravm.launcher.home"));
        List<String> w = warningsFor("paravm.wroker.slots");
        assertEquals(1, w.size(), "two edits from paravm.worker.slots: a typo, whatever its module: " + w);
        assertTrue(w.get(0).contains("paravm.worker.slots"), w.get(0));
    }

    @Test
    void aDeprecatedNameIsWarnedAboutNamingItsReplacement() {
        List<String> w = warningsFor("paravm.core.orphan.grace.ms");
        assertEquals(1, w.size(), w::toString);
        assertTrue(w.get(0).contains("deprecated name of paravm.core.orphan.grace.millis"), w.get(0));
    }

    @Test
    void theCoreProvidersDeprecatedNamesAreStillReadUnderTheNewName() {
        System.setProperty("paravm.core.orphan.grace.ms", "1234");
        assertEquals("1234", VmConfig.defaults().property(OrphanWatch.GRACE_MILLIS_PROP_NAME).orElseThrow(),
                "the old name is read where the new one is asked for (every module reads through VmConfig)");
        System.setProperty(OrphanWatch.GRACE_MILLIS_PROP_NAME, "99");
        assertEquals("99", VmConfig.defaults().property(OrphanWatch.GRACE_MILLIS_PROP_NAME).orElseThrow(),
                "the new name wins over the old");
        SettingsCheck.Known core = SettingsCheck.Known.load(SettingsCheckTest.class.getClassLoader());
        assertEquals(List.of(), SettingsCheck.warnings(List.of(PolledTransport.FINALIZE_TIMEOUT_MILLIS_PROP_NAME,
                VmConfig.WORKER_SLOTS_PROP_NAME, "paravm.transport.hazelcast.disabled", "paravm.codec.allow"), core));
    }

    @Test
    void editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        assertEquals(0, SettingsCheck.distance("paravm.mirror", "paravm.mirror"));
        assertEquals(1, SettingsCheck.distance("paravm.mirror", "paravm.mirrors"));
        assertEquals(2, SettingsCheck.distance("paravm.worker.slots", "paravm.wroker.slots"));
        assertEquals(3, SettingsCheck.distance("kitten", "sitting"));
    }
}

package io.paravm.core;

import io.paravm.VmConfig;
import io.paravm.VmException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The spawner starts a dashboard only when asked, and says what to add when its module is missing. */
class DashboardStartTest {

    @Test
    void withoutTheSettingNoDashboardIsLookedFor() {
        assertNull(DashboardStart.ifAsked(null, VmConfig.defaults(), getClass().getClassLoader()));
    }

    @Test
    void askedForWithoutTheModuleTheErrorNamesTheModuleAndTheSetting() {
        // vm-core's tests have no paravm-dashboard on their class path
        VmException e = assertThrows(VmException.class, () -> DashboardStart.ifAsked(null,
                VmConfig.builder().dashboard(8080).build(), getClass().getClassLoader()));
        assertTrue(e.getMessage().contains("io.paravm:paravm-dashboard") && e.getMessage().contains("paravm.dashboard.port"),
                e.getMessage());
    }
}

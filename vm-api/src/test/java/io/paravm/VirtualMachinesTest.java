package io.paravm;

import io.paravm.spi.Transport;
import io.paravm.spi.TransportProvider;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Provider selection, with two test providers registered in this module's test resources. */
class VirtualMachinesTest {

    /** Available, low priority. */
    public static final class Ready implements TransportProvider {
        public String name() { return "ready"; }
        public int priority() { return 1; }
        public Optional<String> unavailabilityCause() { return Optional.empty(); }
        public Transport open(VmConfig config) { throw new VmException("test provider: not openable"); }
    }

    /** Never available, high priority. */
    public static final class Absent implements TransportProvider {
        public String name() { return "absent"; }
        public int priority() { return 1000; }
        public Optional<String> unavailabilityCause() { return Optional.of("the absent engine is not installed"); }
        public Transport open(VmConfig config) { throw new AssertionError("never opened"); }
    }

    @Test
    void providersAreFoundThroughServiceLoaderSortedByName() {
        assertEquals(java.util.List.of("absent", "ready"),
                VirtualMachines.providers().stream().map(TransportProvider::name).toList());
    }

    @Test
    void automaticSelectionSkipsUnavailableProvidersWhateverTheirPriority() {
        assertEquals("ready", VirtualMachines.select(VmConfig.defaults()).name());
    }

    @Test
    void unknownTransportNameListsWhatIsOnTheClassPath() {
        VmException e = assertThrows(VmException.class,
                () -> VirtualMachines.select(VmConfig.builder().transport("nosuch").build()));
        assertTrue(e.getMessage().contains("'nosuch'") && e.getMessage().contains("absent, ready")
                && e.getMessage().contains("transport-nosuch") && e.getMessage().contains("#unknown-transport"), e.getMessage());
    }

    @Test
    void requestedButUnavailableTransportSaysWhy() {
        VmException e = assertThrows(VmException.class,
                () -> VirtualMachines.select(VmConfig.builder().transport("ABSENT").build()));
        assertTrue(e.getMessage().contains("the absent engine is not installed"), e.getMessage());
    }

    @Test
    void disabledPropertyMakesAProviderUnavailableAndNothingIsLeft() {
        VmConfig cfg = VmConfig.builder().property("paravm.transport.ready.disabled", "true").build();
        VmException e = assertThrows(VmException.class, () -> VirtualMachines.select(cfg));
        assertTrue(e.getMessage().contains("ready: disabled by paravm.transport.ready.disabled=true")
                && e.getMessage().contains("absent: the absent engine is not installed"), e.getMessage());
    }

    @Test
    void openWithoutVmCoreSaysWhichJarIsMissing() {
        VmException e = assertThrows(VmException.class, () -> VirtualMachines.open());
        assertTrue(e.getMessage().contains("io.paravm:vm-core"), e.getMessage());
    }

    @Test
    void idsPrintAsPyopusDoesAndHaveInvalidValues() {
        assertEquals("3:7", new TaskId(3, 7).toString());
        assertTrue(!TaskId.bad().isValid() && !HostId.bad().isValid());
        assertTrue(new TaskId(0, 0).isValid() && new HostId("h").isValid());
    }

    @Test
    void configRejectsNegativeDebugAndNonPositiveStartupTimeout() {
        assertThrows(VmException.class, () -> VmConfig.builder().debug(-1).build());
        assertThrows(VmException.class, () -> VmConfig.builder().startupTimeout(java.time.Duration.ZERO).build());
    }
}

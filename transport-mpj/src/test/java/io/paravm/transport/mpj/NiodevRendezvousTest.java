package io.paravm.transport.mpj;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which niodev jobs have every rank on this host, so that their ranks may sleep on vm-core's doorbell. */
class NiodevRendezvousTest {

    @Test
    void aJobTheLauncherStartedAroundItsRendezvousIsOnThisHost() throws Exception {
        try (NiodevRendezvous rendezvous = new NiodevRendezvous(3)) {
            String configuration = rendezvous.configuration(131_072);
            assertTrue(NiodevRendezvous.startedAllRanksHere(configuration), configuration);
        }
    }

    @Test
    void aJobFromAConfigurationFileOrAnotherHostsServerIsNot() {
        assertFalse(NiodevRendezvous.startedAllRanksHere("/home/user/.mpj/mpjdev.conf"));
        assertFalse(NiodevRendezvous.startedAllRanksHere(
                "#Number of Processes;3;#Protocol Switch Limit;131072;#Server Name;10.0.0.7;#Server Port;40123"));
    }
}

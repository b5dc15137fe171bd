package io.paravm.core;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostCpusTest {

    @Test
    @DisplayName("a host's cores are counted from Linux's list of online CPUs, and never below what this process may use")
    void hostCores() {
        assertEquals(2, HostCpus.inList("0-1\n"));
        assertEquals(1, HostCpus.inList("0"));
        assertEquals(7, HostCpus.inList("0-3,5,7-8"));
        assertEquals(0, HostCpus.inList("\n"), "an empty cpuset: the next list is read");
        assertTrue(HostCpus.count() >= Runtime.getRuntime().availableProcessors());
    }
}

package io.paravm.transport.hazelcast;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortHoldersTest {

    @Test
    void kernelAddressesReadAsPeopleWriteThem() {
        assertEquals("127.0.0.1:8080", PortHolders.address("0100007F:1F90"));
        assertEquals("10.0.0.5:5701", PortHolders.address("0500000A:1645"));
        assertEquals("127.0.0.1:5701", PortHolders.address("0000000000000000FFFF00000100007F:1645"), "v4-mapped");
        assertEquals("[0:0:0:0:0:0:0:1]:5701", PortHolders.address("00000000000000000000000001000000:1645"));
        assertEquals("[fe80:0:0:0:a00:27ff:fe4e:66a1]:22", PortHolders.address("000080FE00000000FF27000AA1664EFE:0016"));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void namesTheListenerAndItsConnectionsWithThisProcess() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        try (ServerSocket server = new ServerSocket(0, 1, loopback);
             Socket client = new Socket(loopback, server.getLocalPort());
             Socket accepted = server.accept()) {
            int port = server.getLocalPort();
            List<String> holders = PortHolders.of(port);
            String pid = "(pid " + ProcessHandle.current().pid() + ")";
            assertTrue(holders.contains("LISTEN 127.0.0.1:" + port + " " + pid), holders.toString());
            assertTrue(holders.contains("ESTABLISHED 127.0.0.1:" + port + " to 127.0.0.1:" + client.getLocalPort() + " " + pid),
                    holders.toString());
            assertTrue(accepted.isConnected());
        }
    }
}

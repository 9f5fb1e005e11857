package io.csrflow.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** IP literals as Go reads them, and the service range's addresses, as Services get them. */
class ServiceCidrTest {

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource(nullValues = "none", value = {
            "10.0.34.2, 10.0.34.2", "010.0.34.2, none", "10.0.34, none", "10.0.34.256, none",
            "fd00::2, fd00::2", "fd00:0:0:0:0:0:0:2, fd00::2", "fe80::1%eth0, none", "localhost, none",
            "example.com, none", "'', none", "::ffff:10.0.0.1, 10.0.0.1"})
    void readsIpLiteralsAsGoDoesAndNeverResolvesNames(String text, String canonical) {
        byte[] address = IpAddresses.parse(text);
        if (canonical == null) {
            assertNull(address, text);
        } else {
            assertEquals(canonical, IpAddresses.format(address));
        }
    }

    @ParameterizedTest(name = "{0} holds {1}: {2}")
    @CsvSource({
            "10.96.0.0/12, 10.96.0.0, false", "10.96.0.0/12, 10.96.0.1, true", "10.96.0.0/12, 10.111.255.254, true",
            "10.96.0.0/12, 10.111.255.255, false", "10.96.0.0/12, 10.112.0.0, false", "10.96.0.0/12, fd00::1, false",
            "172.168.0.0/16, 172.168.0.24, true", "fd00:10::/108, fd00:10::1, true", "fd00:10::/108, fd00:11::1, false"})
    void holdsTheAddressesBetweenNetworkAndBroadcast(String cidr, String ip, boolean held) {
        assertEquals(held, ServiceCidr.parse(cidr).contains(IpAddresses.parse(ip)));
    }

    @Test
    void handsOutEveryFreeAddressOnceAndThenNone() {
        ServiceCidr small = ServiceCidr.parse("192.168.10.0/29");
        assertEquals("192.168.10.1", small.first());
        Set<String> taken = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            String ip = small.allocate(taken);
            assertEquals(true, small.contains(IpAddresses.parse(ip)), ip);
            assertEquals(true, taken.add(ip), ip);
        }
        assertNull(small.allocate(taken));
    }

    @Test
    void refusesARangeThatIsNoCidr() {
        for (String bad : new String[] {"10.96.0.0", "10.96.0.0/33", "10.96.0.0/32", "host/12"}) {
            assertThrows(IllegalArgumentException.class, () -> ServiceCidr.parse(bad), bad);
        }
        assertEquals("10.96.0.0/12", ServiceCidr.parse("10.100.1.2/12").toString());
    }
}

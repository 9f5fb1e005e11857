package io.csrflow.approver.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An IP literal is read from its text alone: a SAN that only looks like one must never reach a name
 * resolver, whose answer a node or a pod's owner may control.
 */
class IpLiteralTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3.999", "1.2.3.256", "256.0.0.1", "1.2.3", "1.2.3.4.5", "1..2.3", "::1::",
            "fd00::1.", "10.0.0.1.", ".:1", "web-0", ""})
    void readsNoAddressInWhatIsNotALiteral(String text) {
        assertFalse(IpLiteral.parse(text).isPresent(), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "0.0.0.0", "255.255.255.255", "010.0.0.1", "fd00::1", "FD00:0:0::1", "::1",
            "::ffff:10.0.0.5", "::ffff:a00:5"})
    void readsEveryLiteralAsTheJdkDoes(String text) throws Exception {
        assertEquals(InetAddress.getByName(text), IpLiteral.parse(text).orElseThrow(), text);
    }

    @Test
    void neverAsksTheResolverEvenWhereItWouldAnswer() throws Exception {
        // A JVM whose resolver answers for names that look like IPs: whatever IpLiteral returns came
        // from the text, or it asked.
        Path hosts = dir.resolve("hosts");
        Files.writeString(hosts, "10.0.0.5 1.2.3.999 1.2.3.256\n");
        Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djdk.net.hosts.file=" + hosts, "-cp", System.getProperty("java.class.path"),
                IpLiteralTest.class.getName(), "1.2.3.999", "1.2.3.256").redirectErrorStream(true).start();
        probe.waitFor(60, TimeUnit.SECONDS);
        String out = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(List.of("1.2.3.999 -> not an IP", "1.2.3.256 -> not an IP"), out.lines().toList(), out);
    }

    /** The probe: what IpLiteral reads in each argument, in a JVM started with a hosts file. */
    public static void main(String[] args) {
        for (String text : args) {
            System.out.println(text + " -> " + IpLiteral.parse(text).map(InetAddress::getHostAddress).orElse("not an IP"));
        }
    }
}

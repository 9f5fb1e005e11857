package io.csrflow.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import io.csrflow.testsupport.TestCsrs;

class SignerProfileTest {
    private static final List<String> SERVER = List.of("digital signature", "key encipherment", "server auth");
    private static final SignerProfile SERVING = SignerProfile.of(List.of("server"), List.of("dns", "ip"), 3, true,
            Duration.ofHours(48));

    private static ParsedCsr parsed(TestCsrs csr) {
        try {
            return CsrParser.defaults().parseAndVerify(csr.pem());
        } catch (CsrRejectedException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> requests() {
        String pod = "my-pod.shop.pod.cluster.local";
        return Stream.of(
                Arguments.of("the documentation's workload", SERVER, TestCsrs.subject(pod)
                        .dnsNames("my-svc.shop.svc.cluster.local", pod).ipAddresses("10.0.34.2"), null, null),
                Arguments.of("empty CN", SERVER, TestCsrs.subject(null).dnsNames("my-svc.shop.svc"), null, null),
                Arguments.of("CN differing only in case", SERVER, TestCsrs.subject("My-Svc.shop.svc")
                        .dnsNames("my-svc.shop.svc"), null, null),
                Arguments.of("CN an IP SAN", SERVER, TestCsrs.subject("10.0.34.2").ipAddresses("10.0.34.2"), null, null),
                Arguments.of("a subset of the usages", List.of("digital signature", "server auth"),
                        TestCsrs.subject(null).dnsNames("a.shop.svc"), null, null),
                Arguments.of("client auth", List.of("digital signature", "key encipherment", "client auth"),
                        TestCsrs.subject(null).dnsNames("a.shop.svc"), SignerProfile.USAGES, "usage \"client auth\" is not allowed"),
                Arguments.of("no extended key usage", List.of("digital signature", "key encipherment"),
                        TestCsrs.subject(null).dnsNames("a.shop.svc"), SignerProfile.USAGES,
                        "the request names no extended key usage, and a certificate without one is valid for any "
                                + "purpose; ask for \"server auth\""),
                Arguments.of("cert sign", List.of("digital signature", "cert sign", "server auth"),
                        TestCsrs.subject(null).dnsNames("a.shop.svc"), SignerProfile.USAGES, "usage \"cert sign\""),
                Arguments.of("URI SAN", SERVER, TestCsrs.subject(null).dnsNames("a.shop.svc")
                        .uris("spiffe://cluster.local/ns/shop/sa/web"), SignerProfile.SAN_TYPES,
                        "uri SAN \"spiffe://cluster.local/ns/shop/sa/web\" is not allowed; the profile allows dns, ip SANs"),
                Arguments.of("email SAN", SERVER, TestCsrs.subject(null).emails("ops@example.com"),
                        SignerProfile.SAN_TYPES, "email SAN \"ops@example.com\""),
                Arguments.of("no SAN", SERVER, TestCsrs.subject(null), SignerProfile.SAN_COUNT, "names no SAN"),
                Arguments.of("too many SANs", SERVER, TestCsrs.subject(null).dnsNames("a.svc", "b.svc", "c.svc")
                        .ipAddresses("10.0.0.1"), SignerProfile.SAN_COUNT, "names 4 SANs; the profile allows at most 3"),
                Arguments.of("CN not a SAN", SERVER, TestCsrs.subject("kubernetes.default.svc").dnsNames("a.shop.svc"),
                        SignerProfile.COMMON_NAME, "CN \"kubernetes.default.svc\" is not one of the SANs"),
                Arguments.of("CN a user name", SERVER, TestCsrs.subject("system:admin").dnsNames("a.shop.svc"),
                        SignerProfile.COMMON_NAME, "CN \"system:admin\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void aServingProfileAllowsOnlyItsUsagesSanTypesAndNames(String name, List<String> usages, TestCsrs csr,
            String rule, String detail) {
        Optional<RuleCheck> broken = SERVING.firstViolation(usages, parsed(csr));
        assertEquals(Optional.ofNullable(rule), broken.map(RuleCheck::name), name);
        if (detail != null) {
            assertTrue(broken.get().detail().contains(detail), broken.get().detail());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        server         | digital signature,key encipherment,server auth
        client         | digital signature,key encipherment,client auth
        server,client  | digital signature,key encipherment,server auth,client auth
        """)
    void usageKindsAreSetsOfKubernetesUsages(String kinds, String usages) {
        assertEquals(List.of(usages.split(",")), List.copyOf(SignerProfile.of(List.of(kinds.split(",")), List.of("dns"),
                1, true, Duration.ofHours(1)).allowedUsages()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        peer    | dns  | 10  | 1h    | usages: unknown value "peer"; use server, client
        server  | dns6 | 10  | 1h    | san-types: unknown value "dns6"; use dns, ip, uri, email
        server  | dns  | 0   | 1h    | max-sans: must be at least 1
        server  | dns  | 10  | 1m    | max-duration: must be at least 10 minutes
        """)
    void aProfileThatMakesNoSenseIsRefusedNamingItsKey(String usages, String sanTypes, int maxSans, String duration,
            String message) {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> SignerProfile.of(
                List.of(usages), List.of(sanTypes), maxSans, true, Duration.parse("PT" + duration.toUpperCase())));
        assertTrue(refused.getMessage().startsWith(message), refused.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
        csrflow.io/workload-serving          | -
        example.com/serving                  | -
        example.com/a.b-c.d                  | -
        serving                              | must be a fully qualified domain and path
        example.com/a/b                      | must be a fully qualified domain and path
        localhost/serving                    | at least two labels
        Example.com/serving                  | not a DNS-1123 label
        example.com/                         | the path must have 1 to
        example.com/Serving                  | not a DNS-1123 subdomain
        example..com/serving                 | not a DNS-1123 label
        """)
    void signerNamesFollowTheApiServersRule(String name, String problem) {
        Optional<String> found = SignerNames.problem(name);
        if (problem == null) {
            assertEquals(Optional.empty(), found);
        } else {
            assertTrue(found.orElseThrow().contains(problem), found.get());
        }
    }
}

package io.csrflow.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.csrflow.testsupport.TestCsrs;

class RecognizersTest {
    private static final List<String> CLIENT = List.of("digital signature", "client auth");
    private static final List<String> CLIENT_KE = List.of("digital signature", "key encipherment", "client auth");
    private static final List<String> SERVING = List.of("digital signature", "key encipherment", "server auth");

    private static Recognizers.Request request(String signer, List<String> usages, String username, TestCsrs csr) {
        try {
            return new Recognizers.Request(signer, usages, username, CsrParser.defaults().parseAndVerify(csr.pem()));
        } catch (CsrRejectedException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> cases() {
        Function<Recognizers.Request, Recognition> client = Recognizers::kubeletClient;
        Function<Recognizers.Request, Recognition> serving = Recognizers::kubeletServing;
        Function<Recognizers.Request, Recognition> apiserver = Recognizers::apiserverClient;
        String kc = SignerNames.KUBELET_CLIENT;
        String ks = SignerNames.KUBELET_SERVING;
        String node = "system:node:n1";
        return Stream.of(
                Arguments.of("kubelet client", client, request(kc, CLIENT, "system:bootstrap:x", TestCsrs.kubelet("n1")), null),
                Arguments.of("kubelet client with key encipherment", client, request(kc, CLIENT_KE, node, TestCsrs.kubelet("n1")), null),
                Arguments.of("client: other signer", client, request(ks, CLIENT, node, TestCsrs.kubelet("n1")), "signer-name"),
                Arguments.of("client: extra organization", client, request(kc, CLIENT, node,
                        TestCsrs.subject(node, "system:nodes", "system:masters")), "organization"),
                Arguments.of("client: no organization", client, request(kc, CLIENT, node, TestCsrs.subject(node)), "organization"),
                Arguments.of("client: CN without prefix", client, request(kc, CLIENT, node,
                        TestCsrs.subject("n1", "system:nodes")), "common-name"),
                Arguments.of("client: DNS SAN", client, request(kc, CLIENT, node, TestCsrs.kubelet("n1").dnsNames("n1")), "no-sans"),
                Arguments.of("client: server auth usage", client, request(kc, List.of("digital signature", "server auth"),
                        node, TestCsrs.kubelet("n1")), "usages"),
                Arguments.of("kubelet serving", serving, request(ks, SERVING, node, TestCsrs.kubelet("n1").dnsNames("n1")
                        .ipAddresses("10.0.0.1")), null),
                Arguments.of("serving: requested by another user", serving, request(ks, SERVING, "system:node:n2",
                        TestCsrs.kubelet("n1").dnsNames("n1")), "username-is-cn"),
                Arguments.of("serving: no SAN", serving, request(ks, SERVING, node, TestCsrs.kubelet("n1")), "has-dns-or-ip-san"),
                Arguments.of("serving: email SAN", serving, request(ks, SERVING, node, TestCsrs.kubelet("n1").dnsNames("n1")
                        .emails("root@n1")), "no-email-uri-sans"),
                Arguments.of("serving: URI SAN", serving, request(ks, SERVING, node, TestCsrs.kubelet("n1").dnsNames("n1")
                        .uris("spiffe://x")), "no-email-uri-sans"),
                Arguments.of("serving: client usages", serving, request(ks, CLIENT, node, TestCsrs.kubelet("n1").dnsNames("n1")),
                        "usages"),
                Arguments.of("serving: duplicated usage", serving, request(ks, List.of("digital signature", "server auth",
                        "server auth"), node, TestCsrs.kubelet("n1").dnsNames("n1")), "usages"),
                Arguments.of("apiserver client", apiserver, request(SignerNames.APISERVER_CLIENT, CLIENT, "jane",
                        TestCsrs.subject("jane", "dev")), null),
                Arguments.of("apiserver client: server auth", apiserver, request(SignerNames.APISERVER_CLIENT,
                        List.of("client auth", "server auth"), "jane", TestCsrs.subject("jane")), "usages"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void recognisesOrNamesTheFirstFailingCheck(String name, Function<Recognizers.Request, Recognition> recognizer,
            Recognizers.Request request, String failingCheck) {
        Recognition result = recognizer.apply(request);
        assertEquals(failingCheck == null, result.recognized(), result.checks().toString());
        if (failingCheck != null) {
            assertEquals(failingCheck, result.firstFailure().name(), result.checks().toString());
        }
    }
}

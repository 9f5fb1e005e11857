package io.csrflow.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.List;

import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.csrflow.testsupport.TestCsrs;

class KeyPolicyAndUsagesTest {
    private final KeyPolicy policy = KeyPolicy.defaults();

    @ParameterizedTest(name = "{0} {1} bits curve={2} e={3} -> accepted={4}")
    @CsvSource({
        "RSA, 1024, , 65537, false",
        "RSA, 2047, , 65537, false",
        "RSA, 2048, , 65537, true",
        "RSA, 4096, , 65537, true",
        "RSA, 8192, , 65537, false",
        "RSA, 8200, , 65537, false",
        "RSA, 2048, , 3, false",
        "EC, 256, P-256, , true",
        "EC, 384, P-384, , true",
        "EC, 521, P-521, , false",
        "EC, 256, secp256k1, , false",
        "Ed25519, 0, , , false",
    })
    void acceptsOnlyStrongKeys(String algorithm, int bits, String curve, String exponent, boolean accepted) {
        KeyDescription key = new KeyDescription(algorithm, bits, curve,
                exponent == null ? null : new BigInteger(exponent));
        assertEquals(accepted, policy.violation(key).isEmpty(), String.valueOf(policy.violation(key)));
    }

    @Test
    void realWeakKeysAreRefusedWithTheirDescription() throws Exception {
        CsrParser parser = CsrParser.defaults();
        CsrRejectedException small = assertThrows(CsrRejectedException.class,
                () -> parser.parseAndVerify(TestCsrs.kubelet("w").rsa(1024).pem()));
        assertEquals(CsrRejection.WEAK_KEY, small.rejection());
        assertEquals("RSA key of 1024 bits; 2048 to 4096 are accepted", small.getMessage());

        CsrRejectedException exponent = assertThrows(CsrRejectedException.class,
                () -> parser.parseAndVerify(TestCsrs.kubelet("w").rsa(2048, BigInteger.valueOf(3)).pem()));
        assertEquals("RSA public exponent 3 is not accepted (allowed: [65537])", exponent.getMessage());

        CsrRejectedException curve = assertThrows(CsrRejectedException.class,
                () -> parser.parseAndVerify(TestCsrs.kubelet("w").ec("secp521r1").pem()));
        assertEquals("EC curve P-521 is not accepted (allowed: [P-256, P-384])", curve.getMessage());
    }

    @Test
    void mapsKubernetesUsagesToKeyUsageAndExtendedKeyUsage() {
        KubeUsages.Mapped serving = KubeUsages.map(List.of("digital signature", "key encipherment", "server auth"));
        assertEquals(KeyUsage.digitalSignature | KeyUsage.keyEncipherment, serving.keyUsageBits());
        assertEquals(List.of(KeyPurposeId.id_kp_serverAuth), serving.extendedKeyUsages());

        KubeUsages.Mapped mixed = KubeUsages.map(List.of("signing", "s/mime", "email protection", "cert sign"));
        assertEquals(KeyUsage.digitalSignature | KeyUsage.keyCertSign, mixed.keyUsageBits());
        assertEquals(List.of(KeyPurposeId.id_kp_emailProtection), mixed.extendedKeyUsages());

        assertThrows(IllegalArgumentException.class, () -> KubeUsages.map(List.of("root of trust")));
    }
}

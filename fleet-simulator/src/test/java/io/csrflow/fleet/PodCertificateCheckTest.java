package io.csrflow.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.csrflow.fleet.PodCertificateCheck.Problem;
import io.csrflow.pki.Pem;

/**
 * The checks a pod and its clients make of an issued chain: what a signer must get right for the
 * chain to be accepted, and the first violation named otherwise.
 */
class PodCertificateCheckTest {
    private static final String SPIFFE_ID = "spiffe://cluster.local/ns/sim-pods/sa/pod-sa-1";
    private static final Instant NOT_BEFORE = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant NOT_AFTER = NOT_BEFORE.plus(Duration.ofHours(1));
    private static final Instant BEGIN_REFRESH_AT = NOT_BEFORE.plus(Duration.ofMinutes(40));
    private static final Instant NOW = NOT_BEFORE.plus(Duration.ofMinutes(5));
    private static final AtomicLong SERIALS = new AtomicLong(100);

    private final Authority root = Authority.root("pod-ca");
    private final PodCertificateKey podKey = PodCertificateKey.generate(PodCertificateKey.Type.ECDSAP256);

    /** A CA that signs as a signer would; a root, or an intermediate of another. */
    private record Authority(KeyPair keys, X509Certificate certificate) {
        static Authority root(String name) {
            KeyPair keys = KeyMaterial.ecP256().keys();
            return new Authority(keys, sign(keys, new X500Name("CN=" + name), new X500Name("CN=" + name),
                    keys.getPublic(), NOT_BEFORE.minus(Duration.ofDays(1)), NOT_AFTER.plus(Duration.ofDays(365)), true,
                    null));
        }

        Authority intermediate(String name) {
            KeyPair intermediateKeys = KeyMaterial.ecP256().keys();
            return new Authority(intermediateKeys, sign(keys, X500Name.getInstance(certificate.getSubjectX500Principal()
                    .getEncoded()), new X500Name("CN=" + name), intermediateKeys.getPublic(),
                    NOT_BEFORE.minus(Duration.ofDays(1)), NOT_AFTER.plus(Duration.ofDays(30)), true, null));
        }

        X509Certificate leaf(PublicKey subjectKey, String uri, Instant notBefore, Instant notAfter) {
            return sign(keys, X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), new X500Name(""),
                    subjectKey, notBefore, notAfter, false, uri);
        }

        String bundle() {
            return Pem.of(certificate);
        }
    }


    private static X509Certificate sign(KeyPair issuerKeys, X500Name issuer, X500Name subject, PublicKey subjectKey,
            Instant notBefore, Instant notAfter, boolean ca, String uri) {
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(notBefore), Date.from(notAfter), subject,
                    subjectKey);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                    : KeyUsage.digitalSignature));
            if (uri != null) {
                // An empty subject makes the SAN critical (RFC 5280 §4.2.1.6), as signers of pod certificates do.
                builder.addExtension(Extension.subjectAlternativeName, true,
                        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
            }
            return new JcaX509CertificateConverter().getCertificate(builder.build(
                    new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static PodCertificateOutcome.Issued issued(List<X509Certificate> chain, Instant notBefore,
            Instant beginRefreshAt, Instant notAfter) {
        return new PodCertificateOutcome.Issued("req-abcde", Pem.of(chain), notBefore, beginRefreshAt, notAfter);
    }

    private PodCertificateCheck.Verdict verify(List<X509Certificate> chain, Instant beginRefreshAt, List<String> bundles) {
        return PodCertificateCheck.verify(issued(chain, NOT_BEFORE, beginRefreshAt, NOT_AFTER), podKey.key().keys()
                .getPublic(), SPIFFE_ID, bundles, NOW);
    }

    private X509Certificate goodLeaf(Authority signer) {
        return signer.leaf(podKey.key().keys().getPublic(), SPIFFE_ID, NOT_BEFORE, NOT_AFTER);
    }

    @Test
    void acceptsALeafOfTheBundlesCaForThePodsKeyAndIdentity() {
        X509Certificate leaf = goodLeaf(root);

        PodCertificateCheck.Verdict verdict = verify(List.of(leaf), BEGIN_REFRESH_AT,
                List.of(Authority.root("unrelated-ca").bundle(), root.bundle()));

        assertEquals(Problem.NONE, verdict.problem(), verdict.message());
        assertTrue(verdict.valid());
        assertEquals(List.of(leaf), verdict.chain());
    }

    @Test
    void acceptsAChainThroughAnIntermediateAndOneThatEndsWithTheRoot() {
        Authority intermediate = root.intermediate("pod-intermediate");
        X509Certificate leaf = goodLeaf(intermediate);

        assertEquals(Problem.NONE, verify(List.of(leaf, intermediate.certificate()), BEGIN_REFRESH_AT,
                List.of(root.bundle())).problem());
        assertEquals(Problem.NONE, verify(List.of(leaf, intermediate.certificate(), root.certificate()),
                BEGIN_REFRESH_AT, List.of(root.bundle())).problem());
    }

    @Test
    void refusesALeafOfAnotherCa() {
        PodCertificateCheck.Verdict verdict = verify(List.of(goodLeaf(Authority.root("pod-ca"))), BEGIN_REFRESH_AT,
                List.of(root.bundle()));

        assertEquals(Problem.NOT_TRUSTED, verdict.problem());
        assertTrue(verdict.message().startsWith("the chain does not validate against the signer's 1 trusted CA(s)"),
                verdict.message());
    }

    @Test
    void refusesALeafForAnotherKey() {
        X509Certificate leaf = root.leaf(KeyMaterial.ecP256().keys().getPublic(), SPIFFE_ID, NOT_BEFORE, NOT_AFTER);

        assertEquals(Problem.ANOTHER_KEY, verify(List.of(leaf), BEGIN_REFRESH_AT, List.of(root.bundle())).problem());
    }

    @ParameterizedTest
    @ValueSource(strings = {"spiffe://cluster.local/ns/sim-pods/sa/pod-sa-2", "spiffe://cluster.local/ns/other/sa/pod-sa-1",
        "spiffe://example.org/ns/sim-pods/sa/pod-sa-1", "https://cluster.local/ns/sim-pods/sa/pod-sa-1"})
    void refusesALeafForAnotherSpiffeId(String uri) {
        X509Certificate leaf = root.leaf(podKey.key().keys().getPublic(), uri, NOT_BEFORE, NOT_AFTER);

        PodCertificateCheck.Verdict verdict = verify(List.of(leaf), BEGIN_REFRESH_AT, List.of(root.bundle()));

        assertEquals(Problem.WRONG_IDENTITY, verdict.problem());
        assertEquals("the leaf's URI SANs [" + uri + "] lack " + SPIFFE_ID, verdict.message());
    }

    @ParameterizedTest(name = "beginRefreshAt notBefore + {0} min -> {1}")
    @CsvSource({
        "10, NONE",
        "50, NONE",
        "9, REFRESH_OUT_OF_RANGE",
        "51, REFRESH_OUT_OF_RANGE",
        "0, REFRESH_OUT_OF_RANGE",
        "60, REFRESH_OUT_OF_RANGE",
    })
    void beginRefreshAtMustLieTenMinutesInsideTheValidity(int minutes, Problem expected) {
        assertEquals(expected, verify(List.of(goodLeaf(root)), NOT_BEFORE.plus(Duration.ofMinutes(minutes)),
                List.of(root.bundle())).problem());
    }

    @Test
    void theStatusTimesMustBeTheLeafs() {
        X509Certificate leaf = goodLeaf(root);
        PodCertificateOutcome.Issued later = issued(List.of(leaf), NOT_BEFORE, BEGIN_REFRESH_AT,
                NOT_AFTER.plusSeconds(60));

        PodCertificateCheck.Verdict verdict = PodCertificateCheck.verify(later, podKey.key().keys().getPublic(),
                SPIFFE_ID, List.of(root.bundle()), NOW);

        assertEquals(Problem.TIMES_DIFFER, verdict.problem());
    }

    @Test
    void withoutABundleTheVerdictWaitsForOne() {
        assertEquals(Problem.NO_TRUST_BUNDLE, verify(List.of(goodLeaf(root)), BEGIN_REFRESH_AT, List.of()).problem());
        assertEquals(Problem.NO_TRUST_BUNDLE, verify(List.of(goodLeaf(root)), BEGIN_REFRESH_AT,
                List.of("not a bundle")).problem());
        assertTrue(Problem.NO_TRUST_BUNDLE.bundlePending());
        assertTrue(!Problem.NOT_TRUSTED.bundlePending());
    }

    @Test
    void anUnreadableChainIsNamed() {
        PodCertificateOutcome.Issued garbage = new PodCertificateOutcome.Issued("req-x",
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", NOT_BEFORE, BEGIN_REFRESH_AT, NOT_AFTER);
        PodCertificateOutcome.Issued empty = new PodCertificateOutcome.Issued("req-y", "", NOT_BEFORE,
                BEGIN_REFRESH_AT, NOT_AFTER);

        assertEquals(Problem.UNREADABLE_CHAIN, PodCertificateCheck.verify(garbage, podKey.key().keys().getPublic(),
                SPIFFE_ID, List.of(root.bundle()), NOW).problem());
        assertEquals(Problem.UNREADABLE_CHAIN, PodCertificateCheck.verify(empty, podKey.key().keys().getPublic(),
                SPIFFE_ID, List.of(root.bundle()), NOW).problem());
    }
}

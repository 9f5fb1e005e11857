package io.csrflow.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.csrflow.pki.Pkcs11Settings.SlotId;
import io.csrflow.pki.Pkcs11Settings.SlotListIndex;
import io.csrflow.testsupport.Cli;
import io.csrflow.testsupport.SoftHsm;

/** CA keys in a real SoftHSM2 token, signing through the JDK's SunPKCS11. */
class Pkcs11CaTest {
    static final String PIN = "1234";
    static final String LABEL = "csrflow-ca";

    @TempDir
    static Path dir;
    static SoftHsm hsm;
    // Per key type: the token holding the CA key, and the CA certificate file.
    static Map<String, SoftHsm.Token> tokens;
    static Map<String, Path> certs;
    // Nobody logs in to it with the right PIN: PKCS#11 keeps a login per token and process.
    static SoftHsm.Token neverLoggedIn;
    static Path pinFile;

    @BeforeAll
    static void makeTokens() throws Exception {
        hsm = SoftHsm.fromEnvironment();
        // Every token before the first load: SoftHSM sees only the tokens that exist when the JDK loads it.
        SoftHsm.Token ec = hsm.createToken("csrflow-ec", PIN);
        SoftHsm.Token rsa = hsm.createToken("csrflow-rsa", PIN);
        neverLoggedIn = hsm.createToken("csrflow-pin", PIN);
        hsm.importKey(ec, LABEL, "01", opensslCa("ec"), dir.resolve("ec.crt"));
        hsm.importKey(rsa, LABEL, "01", opensslCa("rsa"), dir.resolve("rsa.crt"));
        hsm.importKey(neverLoggedIn, LABEL, "01", dir.resolve("ec.key"), dir.resolve("ec.crt"));
        tokens = Map.of("ec", ec, "rsa", rsa);
        certs = Map.of("ec", dir.resolve("ec.crt"), "rsa", dir.resolve("rsa.crt"));
        pinFile = secret("pin", PIN + "\n");
    }

    @AfterAll
    static void deleteTokens() {
        if (hsm != null) {
            hsm.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ec", "rsa"})
    void theTokenSignsACertificateThatOpensslVerifies(String keyType) throws Exception {
        CertificateAuthority ca = new Pkcs11CaLoader().load(certs.get(keyType), settings(tokens.get(keyType), LABEL));

        Path leaf = dir.resolve(keyType + "-leaf.crt");
        Files.writeString(leaf, pem(leafSignedBy(ca)));
        assertEquals(leaf + ": OK\n",
                Cli.run(dir, null, "openssl", "verify", "-CAfile", certs.get(keyType).toString(), leaf.toString()));
        assertEquals(keyType.equals("ec") ? "SHA256withECDSA" : "SHA256withRSA", ca.signatureAlgorithm());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ec", "rsa"})
    void theKeyNeverLeavesTheToken(String keyType) throws Exception {
        CertificateAuthority ca = new Pkcs11CaLoader().load(certs.get(keyType), settings(tokens.get(keyType), LABEL));

        assertNull(ca.key().getEncoded());
        assertFalse(ca.key() instanceof ECPrivateKey, "EC private value readable");
        assertFalse(ca.key() instanceof RSAPrivateKey, "RSA private exponent readable");
        assertEquals("SunPKCS11-csrflow-ca", ca.signingProvider().orElseThrow().getName());
        assertTrue(ca.keyFile().isEmpty());
        assertEquals(List.of(), ca.warnings());
    }

    @Test
    void aPinFileOthersCanReadIsWarnedAbout() throws Exception {
        Path open = secret("open-pin", PIN);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));

        CertificateAuthority ca = new Pkcs11CaLoader().load(certs.get("ec"),
                new Pkcs11Settings(hsm.library(), new SlotId(tokens.get("ec").slotId()), LABEL, open));

        assertEquals(List.of(open + " is readable or writable by others (rw-r--r--); use 0600, or 0440 with the "
                + "pod's fsGroup"), ca.warnings());
    }

    @Test
    void aWrongPinIsRefusedNamingThePinFile() throws Exception {
        Path wrong = secret("wrong-pin", "0000\n");

        CaLoadException e = assertThrows(CaLoadException.class, () -> new Pkcs11CaLoader().load(certs.get("ec"),
                new Pkcs11Settings(hsm.library(), new SlotId(neverLoggedIn.slotId()), LABEL, wrong)));

        assertEquals("the PIN in " + wrong + " is wrong for the token in slot " + neverLoggedIn.slotId() + " of "
                + hsm.library() + " (CKR_PIN_INCORRECT)", e.getMessage());
    }

    @Test
    void anUnknownLabelIsRefusedListingTheKeysTheTokenHolds() {
        SoftHsm.Token ec = tokens.get("ec");

        CaLoadException e = assertThrows(CaLoadException.class,
                () -> new Pkcs11CaLoader().load(certs.get("ec"), settings(ec, "no-such-key")));

        assertEquals("no private key labelled 'no-such-key' with its certificate in the token in slot " + ec.slotId()
                + " of " + hsm.library() + "; its keys: [" + LABEL + "]", e.getMessage());
    }

    @Test
    void aSlotWithoutATokenIsRefused() {
        CaLoadException byId = assertThrows(CaLoadException.class, () -> new Pkcs11CaLoader().load(certs.get("ec"),
                new Pkcs11Settings(hsm.library(), new SlotId(999_999), LABEL, pinFile)));
        CaLoadException byIndex = assertThrows(CaLoadException.class, () -> new Pkcs11CaLoader().load(certs.get("ec"),
                new Pkcs11Settings(hsm.library(), new SlotListIndex(999), LABEL, pinFile)));

        assertEquals("no usable token in slot 999999 of " + hsm.library() + " (CKR_SLOT_ID_INVALID)", byId.getMessage());
        assertTrue(byIndex.getMessage().startsWith("no usable token in slot list index 999 of " + hsm.library()
                + " (slotListIndex is 999 but token only has "), byIndex.getMessage());
    }

    @Test
    void theWrongTokenIsRefusedBecauseItsKeyDoesNotSignForTheCertificate() {
        SoftHsm.Token rsa = tokens.get("rsa");

        CaLoadException e = assertThrows(CaLoadException.class,
                () -> new Pkcs11CaLoader().load(certs.get("ec"), settings(rsa, LABEL)));

        assertEquals("the key labelled '" + LABEL + "' in the token in slot " + rsa.slotId() + " of " + hsm.library()
                + " does not belong to the certificate in " + certs.get("ec"), e.getMessage());
    }

    @Test
    void aCertificateOfAnotherKeyIsRefused() throws Exception {
        SoftHsm.Token ec = tokens.get("ec");
        Path other = dir.resolve("other.crt");
        Cli.run(dir, null, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-keyout", dir.resolve("other.key").toString(), "-out", other.toString(), "-subj",
                "/CN=another CA", "-days", "2");

        CaLoadException e = assertThrows(CaLoadException.class,
                () -> new Pkcs11CaLoader().load(other, settings(ec, LABEL)));

        assertEquals("the key labelled '" + LABEL + "' in the token in slot " + ec.slotId() + " of " + hsm.library()
                + " does not belong to the certificate in " + other, e.getMessage());
    }

    @Test
    void aMissingLibraryOrAnEmptyPinFileIsNamed() throws Exception {
        Path library = dir.resolve("libmissing.so");
        Path empty = secret("empty-pin", "\n");
        SlotId slot = new SlotId(tokens.get("ec").slotId());

        CaLoadException noLibrary = assertThrows(CaLoadException.class, () -> new Pkcs11CaLoader().load(
                certs.get("ec"), new Pkcs11Settings(library, slot, LABEL, pinFile)));
        CaLoadException noPin = assertThrows(CaLoadException.class, () -> new Pkcs11CaLoader().load(
                certs.get("ec"), new Pkcs11Settings(hsm.library(), slot, LABEL, empty)));

        assertEquals("PKCS#11 library " + library + " does not exist", noLibrary.getMessage());
        assertEquals(empty + ": holds no PIN", noPin.getMessage());
    }

    private static Pkcs11Settings settings(SoftHsm.Token token, String label) {
        return new Pkcs11Settings(hsm.library(), new SlotId(token.slotId()), label, pinFile);
    }

    /** A self-signed CA made by openssl: {@code <type>.crt} and a PKCS#8 {@code <type>.key}. */
    private static Path opensslCa(String keyType) {
        List<String> newKey = keyType.equals("ec") ? List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1")
                : List.of("-newkey", "rsa:2048");
        Path key = dir.resolve(keyType + ".key");
        List<String> command = new ArrayList<>(List.of("openssl", "req", "-x509"));
        command.addAll(newKey);
        command.addAll(List.of("-nodes", "-keyout", key.toString(), "-out", dir.resolve(keyType + ".crt").toString(),
                "-subj", "/CN=csrflow " + keyType + " token CA", "-days", "2",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"));
        Cli.run(dir, null, command.toArray(String[]::new));
        return key;
    }

    /** Mode 0440, as a Secret mounted with the pod's fsGroup. */
    private static Path secret(String name, String content) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r-----"));
        return file;
    }

    private static X509CertificateHolder leafSignedBy(CertificateAuthority ca) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        PublicKey leafKey = generator.generateKeyPair().getPublic();
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(ca.certificate(), BigInteger.TEN,
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofHours(1))),
                new X500Principal("CN=signed in the token"), leafKey);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        return builder.build(new JcaContentSignerBuilder(ca.signatureAlgorithm())
                .setProvider(ca.signingProvider().orElseThrow()).build(ca.key()));
    }

    private static String pem(Object object) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}

package io.csrflow.pki;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Provider;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads a CA as kube-controller-manager takes it: a certificate file holding exactly one
 * certificate, and a key file (RSA or EC; PKCS#1, SEC1 or PKCS#8 PEM) whose key belongs to it.
 * For a key kept in a PKCS#11 token see {@link Pkcs11CaLoader}.
 */
public final class CaLoader {
    // Group access is how Kubernetes grants a non-root container its Secret (fsGroup, mode 0440);
    // only access for everyone else is a problem.
    private static final Set<PosixFilePermission> TOO_OPEN = Set.of(PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE);

    private final Provider provider;

    public CaLoader(Provider provider) {
        this.provider = provider;
    }

    public CertificateAuthority load(Path certFile, Path keyFile) throws CaLoadException {
        X509Certificate certificate = certificate(certFile);
        PrivateKey key = key(keyFile);
        String algorithm = signatureAlgorithm(key, keyFile.toString());
        if (!matches(certificate, key, algorithm, provider)) {
            throw new CaLoadException(keyFile + ": the private key does not belong to the certificate in " + certFile);
        }
        List<String> warnings = new ArrayList<>();
        openToOthers(keyFile).ifPresent(warnings::add);
        return new CertificateAuthority(certificate, key, Optional.empty(), algorithm, certFile, Optional.of(keyFile),
                warnings);
    }

    /** A file holding exactly one certificate, e.g. the next CA published ahead of a rotation. */
    public X509Certificate readCertificate(Path file) throws CaLoadException {
        return certificate(file);
    }

    /** A file of one or more PEM certificates and nothing else, e.g. the CAs a signer used before. */
    public List<X509Certificate> readCertificates(Path file) throws CaLoadException {
        List<Object> objects = pemObjects(file);
        List<X509Certificate> certificates = new java.util.ArrayList<>();
        for (Object object : objects) {
            if (!(object instanceof X509CertificateHolder holder)) {
                throw new CaLoadException(file + ": must hold only PEM certificates, found " + object.getClass()
                        .getSimpleName());
            }
            try {
                certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
            } catch (CertificateException e) {
                throw new CaLoadException(file + ": a certificate cannot be read: " + e.getMessage(), e);
            }
        }
        return certificates;
    }

    /** A warning when users other than the file's owner and group may read or write a secret file. */
    static Optional<String> openToOthers(Path secretFile) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(secretFile);
            if (permissions.stream().anyMatch(TOO_OPEN::contains)) {
                return Optional.of(secretFile + " is readable or writable by others ("
                        + PosixFilePermissions.toString(permissions) + "); use 0600, or 0440 with the pod's fsGroup");
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Not a POSIX file system: nothing to check.
        }
        return Optional.empty();
    }

    static String signatureAlgorithm(PrivateKey key, String where) throws CaLoadException {
        return signatureAlgorithm(key.getAlgorithm()).orElseThrow(() -> new CaLoadException(where + ": "
                + key.getAlgorithm() + " CA keys are not supported (RSA or EC)"));
    }

    /**
     * The algorithm a CA with this public key signs with here, for whoever verifies such a signature.
     *
     * @throws IllegalArgumentException for a key type a CA cannot have here
     */
    static String signatureAlgorithm(PublicKey key) {
        return signatureAlgorithm(key.getAlgorithm()).orElseThrow(() -> new IllegalArgumentException(
                key.getAlgorithm() + " CA keys are not supported (RSA or EC)"));
    }

    private static Optional<String> signatureAlgorithm(String keyAlgorithm) {
        return switch (keyAlgorithm) {
            case "RSA" -> Optional.of("SHA256withRSA");
            case "EC", "ECDSA" -> Optional.of("SHA256withECDSA");
            default -> Optional.empty();
        };
    }

    static X509Certificate certificate(Path file) throws CaLoadException {
        List<Object> objects = pemObjects(file);
        List<X509CertificateHolder> certificates = objects.stream().filter(X509CertificateHolder.class::isInstance)
                .map(X509CertificateHolder.class::cast).toList();
        if (certificates.size() != 1 || objects.size() != 1) {
            throw new CaLoadException(file + ": must hold exactly one PEM certificate, found " + certificates.size()
                    + " certificates among " + objects.size() + " PEM blocks");
        }
        try {
            return new JcaX509CertificateConverter().getCertificate(certificates.get(0));
        } catch (CertificateException e) {
            throw new CaLoadException(file + ": the certificate cannot be read: " + e.getMessage(), e);
        }
    }

    private PrivateKey key(Path file) throws CaLoadException {
        List<Object> objects = pemObjects(file);
        if (objects.size() != 1) {
            throw new CaLoadException(file + ": must hold exactly one PEM private key, found " + objects.size()
                    + " PEM blocks");
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(provider);
        try {
            Object object = objects.get(0);
            if (object instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
        } catch (IOException e) {
            throw new CaLoadException(file + ": the private key cannot be read: " + e.getMessage(), e);
        }
        throw new CaLoadException(file + ": not an unencrypted PEM private key (RSA PRIVATE KEY, EC PRIVATE KEY "
                + "or PRIVATE KEY)");
    }

    private static List<Object> pemObjects(Path file) throws CaLoadException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new CaLoadException(file + ": cannot be read: " + e.getMessage(), e);
        }
        List<Object> objects = new ArrayList<>();
        try (Reader reader = new StringReader(text); PEMParser parser = new PEMParser(reader)) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                objects.add(object);
            }
        } catch (IOException | RuntimeException e) {
            throw new CaLoadException(file + ": is not valid PEM: " + e.getMessage(), e);
        }
        if (objects.isEmpty()) {
            throw new CaLoadException(file + ": holds no PEM block");
        }
        return objects;
    }

    /** The key signs what the certificate's public key verifies: they belong together. */
    static boolean matches(X509Certificate certificate, PrivateKey key, String algorithm, Provider provider) {
        byte[] probe = "csrflow CA key check".getBytes(StandardCharsets.US_ASCII);
        try {
            byte[] signature = CaSignatures.sign(key, algorithm, provider, probe);
            return CaSignatures.verifies(certificate, provider, probe, signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}

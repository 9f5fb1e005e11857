package io.csrflow.fleet;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;

import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemGenerationException;

import io.csrflow.pkcs10.CsrBuilder;
import io.csrflow.pki.Pem;

/**
 * A fresh key and the PKCS#10 request for it, as the kubelet makes them on every rotation: EC
 * P-256 (the kubelet's choice), or a weak RSA key for a misbehaving node; also the keys of pod
 * certificates ({@link PodCertificateKey}).
 */
record KeyMaterial(KeyPair keys, String privateKeyPem) {

    static KeyMaterial ecP256() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return of(generator.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("EC P-256 is part of every Java platform", e);
        }
    }

    static KeyMaterial weakRsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(1024);
            return of(generator.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is part of every Java platform", e);
        }
    }

    /** {@code keys} with the private key as PKCS#8 PEM, as the kubelet writes keys. */
    static KeyMaterial of(KeyPair keys) {
        try {
            return new KeyMaterial(keys, pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
        } catch (PemGenerationException e) {
            throw new IllegalStateException("cannot write a freshly generated key as PKCS#8", e);
        }
    }

    boolean rsa() {
        return keys.getPublic() instanceof RSAPublicKey;
    }

    /** fabric8 reads PKCS#8 keys only when told their algorithm. */
    String algorithm() {
        return rsa() ? "RSA" : "EC";
    }

    /** A PEM CSR with subject {@code O=system:nodes, CN=commonName} and the given DNS and IP SANs. */
    String csrPem(String commonName, List<String> dnsNames, List<String> ipAddresses) {
        CsrBuilder csr = new CsrBuilder().organization("system:nodes").commonName(commonName);
        dnsNames.forEach(csr::dnsName);
        ipAddresses.forEach(csr::ipAddress);
        return csr.pem(keys, rsa() ? "SHA256withRSA" : "SHA256withECDSA");
    }

    /** A PEM CSR with subject {@code CN=commonName} only, as a workload asks for a serving certificate. */
    String serverCsrPem(String commonName, List<String> dnsNames, List<String> ipAddresses) {
        CsrBuilder csr = new CsrBuilder().commonName(commonName);
        dnsNames.forEach(csr::dnsName);
        ipAddresses.forEach(csr::ipAddress);
        return csr.pem(keys, rsa() ? "SHA256withRSA" : "SHA256withECDSA");
    }

    private static String pem(Object object) {
        return Pem.write(object);
    }
}

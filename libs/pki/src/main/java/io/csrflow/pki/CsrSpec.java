package io.csrflow.pki;

/**
 * The parts of a CertificateSigningRequest's spec that decide whether its request may be certified:
 * which signer it asks, the PEM request, and the lifetime it asks for (null when unset).
 */
public record CsrSpec(String signerName, String request, Integer expirationSeconds) {
}

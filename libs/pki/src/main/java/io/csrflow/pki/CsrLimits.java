package io.csrflow.pki;

/**
 * Bounds on what the parser reads, so that a hostile request costs little: the PEM's size, the
 * number of SANs and how deep ASN.1 structures may nest. Kubelet CSRs are under 2 KiB with a
 * handful of SANs.
 */
public record CsrLimits(int maxPemBytes, int maxSans, int maxAsn1Depth) {

    public static CsrLimits defaults() {
        return new CsrLimits(64 * 1024, 100, 24);
    }
}

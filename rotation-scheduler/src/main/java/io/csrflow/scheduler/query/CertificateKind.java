package io.csrflow.scheduler.query;

import java.util.Arrays;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import io.csrflow.scheduler.inventory.TrackedCertificate;

/** What a tracked certificate was issued for, as the HTTP API names it. */
public enum CertificateKind {
    /** A CertificateSigningRequest's certificate (from cert.issued or csr.observed). */
    CSR("csr"),
    /** A pod's {@code podCertificate} volume, from a PodCertificateRequest (pcr.observed). */
    POD_CERTIFICATE("pod-certificate");

    private final String wireName;

    CertificateKind(String wireName) {
        this.wireName = wireName;
    }

    public static CertificateKind of(TrackedCertificate t) {
        return t.isPodCertificate() ? POD_CERTIFICATE : CSR;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** @throws IllegalArgumentException naming the kinds there are */
    @JsonCreator
    public static CertificateKind fromWireName(String value) {
        for (CertificateKind kind : values()) {
            if (kind.wireName.equals(value)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("kind must be one of " + Arrays.stream(values())
                .map(CertificateKind::wireName).collect(Collectors.joining(", ")) + "; got '" + value + "'");
    }
}

package io.csrflow.service;

import java.util.Set;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How CSRs are verified ({@code csrflow.csr.*}): one set of keys that the approver and the signer
 * both read, so that what one accepts the other accepts (Boulder's RA and CA share VerifyCSR's policy).
 * Set them once for both services, e.g. from one ConfigMap.
 */
@ConfigMapping(prefix = "csrflow.csr")
public interface CsrVerificationConfig {
    Limits limits();

    Keys keys();

    interface Limits {
        /** Largest {@code spec.request} accepted, in bytes of PEM. */
        @WithDefault("65536")
        int maxRequestBytes();

        /** Most SANs a request may carry, of all types together. */
        @WithDefault("100")
        int maxSans();

        /** Deepest nesting of ASN.1 structures read. */
        @WithDefault("24")
        int maxAsn1Depth();
    }

    interface Keys {
        @WithDefault("RSA,EC")
        Set<String> algorithms();

        @WithDefault("2048")
        int rsaMinBits();

        @WithDefault("4096")
        int rsaMaxBits();

        @WithDefault("65537")
        Set<Long> rsaExponents();

        @WithDefault("P-256,P-384")
        Set<String> ecCurves();
    }
}

package io.csrflow.service;

import java.math.BigInteger;
import java.security.Provider;
import java.util.stream.Collectors;

import io.csrflow.pki.CsrLimits;
import io.csrflow.pki.CsrParser;
import io.csrflow.pki.CsrVerifier;
import io.csrflow.pki.KeyPolicy;

/**
 * The one {@link CsrVerifier} of a service, from {@link CsrVerificationConfig} and the service's JCA
 * provider. Not a CDI producer itself: only the services that verify CSRs (approver, signer) have a
 * {@code Provider} bean, and they produce the verifier with this.
 */
public final class CsrVerification {
    private CsrVerification() {
    }

    public static CsrVerifier verifier(CsrVerificationConfig config, Provider provider) {
        return new CsrVerifier(new CsrParser(limits(config.limits()), keys(config.keys()), provider));
    }

    static CsrLimits limits(CsrVerificationConfig.Limits l) {
        return new CsrLimits(l.maxRequestBytes(), l.maxSans(), l.maxAsn1Depth());
    }

    static KeyPolicy keys(CsrVerificationConfig.Keys k) {
        return new KeyPolicy(k.algorithms(), k.rsaMinBits(), k.rsaMaxBits(),
                k.rsaExponents().stream().map(BigInteger::valueOf).collect(Collectors.toSet()), k.ecCurves());
    }
}

package io.csrflow.emulator;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * kube's CertificateSubjectRestriction admission plugin: a CSR for
 * {@code kubernetes.io/kube-apiserver-client} whose subject names the {@code system:masters}
 * organization is refused at create, whoever asks. A request that does not parse is left to
 * validation, which answers 422.
 */
final class CertificateSubjectRestriction implements Admission.Plugin {
    static final String API_SERVER_CLIENT = "kubernetes.io/kube-apiserver-client";

    @Override
    public void validate(AdmissionRequest request) {
        if (request.operation() != AdmissionRequest.Operation.CREATE
                || !request.is("certificates.k8s.io", "certificatesigningrequests", null)) {
            return;
        }
        var spec = request.object().path("spec");
        if (!spec.path("signerName").asText("").equals(API_SERVER_CLIENT)) {
            return;
        }
        PKCS10CertificationRequest csr = parse(spec.path("request").asText(""));
        if (csr == null) {
            return;
        }
        for (RDN rdn : csr.getSubject().getRDNs()) {
            for (AttributeTypeAndValue value : rdn.getTypesAndValues()) {
                if (value.getType().equals(BCStyle.O)
                        && IETFUtils.valueToString(value.getValue()).equals(Authorization.SUPERUSER_GROUP)) {
                    throw request.forbidden("use of " + API_SERVER_CLIENT + " signer with "
                            + Authorization.SUPERUSER_GROUP + " group is not allowed");
                }
            }
        }
    }

    private static PKCS10CertificationRequest parse(String base64Pem) {
        try (PEMParser parser = new PEMParser(new StringReader(new String(Base64.getDecoder().decode(base64Pem),
                StandardCharsets.US_ASCII)))) {
            return parser.readObject() instanceof PKCS10CertificationRequest csr ? csr : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

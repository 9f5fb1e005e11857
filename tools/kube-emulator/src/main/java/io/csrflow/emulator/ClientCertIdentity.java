package io.csrflow.emulator;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

import io.vertx.core.MultiMap;

/**
 * The user a verified client certificate stands for, by the API server's x509 rule: the subject's
 * common name is the user name, each organization a group. Carried from {@link EmulatorServer} to
 * the dispatcher in request headers named like the API server's authenticating-proxy headers.
 */
record ClientCertIdentity(String username, List<String> groups) {
    static final String USER_HEADER = "X-Remote-User";
    static final String GROUP_HEADER = "X-Remote-Group";

    static ClientCertIdentity of(X509Certificate certificate) {
        X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        String commonName = null;
        List<String> organizations = new ArrayList<>();
        for (RDN rdn : subject.getRDNs()) {
            String value = IETFUtils.valueToString(rdn.getFirst().getValue());
            if (rdn.getFirst().getType().equals(BCStyle.CN) && commonName == null) {
                commonName = value;
            } else if (rdn.getFirst().getType().equals(BCStyle.O)) {
                organizations.add(value);
            }
        }
        return new ClientCertIdentity(commonName, organizations);
    }

    /** Removes identity headers a caller sent: only the listener may set them. */
    static void stripFrom(MultiMap headers) {
        headers.remove(USER_HEADER);
        headers.remove(GROUP_HEADER);
    }

    void addTo(MultiMap headers) {
        if (username == null || username.isBlank()) {
            return; // the API server rejects a certificate without a common name: leave the caller anonymous
        }
        headers.set(USER_HEADER, username);
        groups.forEach(group -> headers.add(GROUP_HEADER, group));
    }
}

package io.csrflow.emulator;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

import io.vertx.core.MultiMap;

/**
 * The user a verified client certificate stands for, by the API server's x509 rule: the subject's
 * common name is the user name, each organization a group, and (as kube-apiserver 1.34 does, with
 * {@code AllowParsingUserUIDFromCertAuth} on by default) the subject attribute
 * {@code 1.3.6.1.4.1.57683.2} the user's uid. Carried from {@link EmulatorServer} to the
 * dispatcher in request headers named like the API server's authenticating-proxy headers.
 */
record ClientCertIdentity(String username, String uid, List<String> groups) {
    static final String USER_HEADER = "X-Remote-User";
    static final String UID_HEADER = "X-Remote-Uid";
    static final String GROUP_HEADER = "X-Remote-Group";

    /** {@code asn1util.X509UID()}: the CNCF enterprise number's UID element. */
    static final ASN1ObjectIdentifier UID = new ASN1ObjectIdentifier("1.3.6.1.4.1.57683.2");

    /**
     * @throws IllegalArgumentException when the subject has more than one UID attribute or one that
     *                                  is not a string, which the API server refuses to authenticate
     */
    static ClientCertIdentity of(X509Certificate certificate) {
        X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
        String commonName = null;
        String uid = null;
        List<String> organizations = new ArrayList<>();
        for (RDN rdn : subject.getRDNs()) {
            for (AttributeTypeAndValue attribute : rdn.getTypesAndValues()) {
                if (attribute.getType().equals(UID)) {
                    if (uid != null) {
                        throw new IllegalArgumentException("expected 1 UID, but found multiple");
                    }
                    if (!(attribute.getValue() instanceof ASN1String text)) {
                        throw new IllegalArgumentException("unable to parse UID into a string");
                    }
                    uid = text.getString();
                }
            }
            String value = IETFUtils.valueToString(rdn.getFirst().getValue());
            if (rdn.getFirst().getType().equals(BCStyle.CN) && commonName == null) {
                commonName = value;
            } else if (rdn.getFirst().getType().equals(BCStyle.O)) {
                organizations.add(value);
            }
        }
        return new ClientCertIdentity(commonName, uid, organizations);
    }

    /** Removes identity headers a caller sent: only the listener may set them. */
    static void stripFrom(MultiMap headers) {
        headers.remove(USER_HEADER);
        headers.remove(UID_HEADER);
        headers.remove(GROUP_HEADER);
    }

    void addTo(MultiMap headers) {
        if (username == null || username.isBlank()) {
            return; // the API server rejects a certificate without a common name: leave the caller anonymous
        }
        headers.set(USER_HEADER, username);
        if (uid != null && !uid.isEmpty()) {
            headers.set(UID_HEADER, uid);
        }
        groups.forEach(group -> headers.add(GROUP_HEADER, group));
    }
}

package io.csrflow.fleet;

import java.util.List;

/**
 * What one simulated workload holds and went through, for {@code /status}: {@code trusted} says that
 * its certificate verifies against the CA bundle published in its namespace.
 */
record WorkloadReport(String namespace, String service, String requester, String behaviour, String phase,
                      CertificateReport certificate, boolean trusted, List<String> refusals, String lastError) {
}

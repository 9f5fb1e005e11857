package io.csrflow.fleet;

import java.util.List;

/** What one simulated node holds and went through, for {@code /status} and the progress line. */
record NodeReport(String name, String behaviour, String phase, CertificateReport client, CertificateReport serving,
                  List<String> refusals, String lastError) {
}

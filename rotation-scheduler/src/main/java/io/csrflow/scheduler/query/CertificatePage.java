package io.csrflow.scheduler.query;

import java.util.List;

/**
 * One page of {@code GET /v1/certificates}. {@code next} is the cursor for the following page
 * (absent on the last); {@code incomplete} names replicas that did not answer, so a partial
 * answer never passes for a whole one.
 */
public record CertificatePage(List<CertificateView> items, String next, List<String> incomplete) {
}

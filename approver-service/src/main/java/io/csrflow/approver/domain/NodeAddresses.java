package io.csrflow.approver.domain;

import java.util.List;
import java.util.Optional;

/** The addresses ({@code status.addresses[].address}) of a registered Node; empty if there is no such Node. */
public interface NodeAddresses {
    Optional<List<String>> of(String nodeName);
}

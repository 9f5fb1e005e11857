package io.csrflow.approver.domain;

/**
 * Why the policy decided as it did, beside {@link io.csrflow.pki.CsrRejection} (the reasons of the
 * shared CSR verification). The wire name is what lands in the Approved/Denied condition's reason,
 * in the Event on the CSR and in the {@code csr.decisions} event.
 */
public enum DecisionReason {
    AUTO_APPROVED("AutoApproved"),
    NOT_OURS("NotOurs"),
    NO_RULE_MATCHED("NoRuleMatched"),
    NOT_RECOGNIZED("NotRecognized"),
    NOT_AUTHORIZED("NotAuthorized"),
    INVALID_USAGES("InvalidUsages"),
    NO_RULE_ALLOWS("NoRuleAllows"),
    INVALID_SERVING_REQUEST("InvalidServingRequest"),
    OUTSIDE_SERVING_POLICY("OutsideServingPolicy"),
    NODE_CACHE_NOT_SYNCED("NodeCacheNotSynced"),
    NODE_NOT_FOUND("NodeNotFound"),
    SAN_RESERVED("SANReserved"),
    SAN_NOT_A_NODE_ADDRESS("SANNotANodeAddress"),
    SAN_OWNED_BY_ANOTHER_NODE("SANOwnedByAnotherNode"),
    SERVING_ADDRESSES_UNBOUNDED("ServingAddressesUnbounded"),
    SAN_ADDRESS_TOO_NEW("SANAddressTooNew"),
    OUTSIDE_REQUESTER_RULE("OutsideRequesterRule"),
    NOT_A_SERVICE_ACCOUNT("NotAServiceAccount"),
    INVALID_WORKLOAD_REQUEST("InvalidWorkloadRequest"),
    SAN_NOT_ENTITLED("SANNotEntitled"),
    WORKLOAD_CACHE_NOT_SYNCED("WorkloadCacheNotSynced"),
    WORKLOAD_NOT_FOUND_YET("WorkloadNotFoundYet");

    private final String reason;

    DecisionReason(String reason) {
        this.reason = reason;
    }

    /** The CamelCase reason as Kubernetes conditions carry it. */
    public String reason() {
        return reason;
    }
}

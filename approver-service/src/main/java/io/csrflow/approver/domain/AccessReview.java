package io.csrflow.approver.domain;

import io.csrflow.events.Requester;

/** Asks the API server whether the requester may {@code create} a certificatesigningrequests subresource. */
public interface AccessReview {
    /**
     * @param subresource {@code nodeclient} or {@code selfnodeclient}
     * @throws TransientFailure when the API cannot answer
     */
    boolean mayCreate(Requester requester, String subresource);
}

package io.csrflow.scheduler.streams;

/** The scheduler's state stores; each has a changelog topic {@code <application.id>-<name>-changelog}. */
public final class StoreNames {
    /** identity key → the newest certificate and its notice state. */
    public static final String INVENTORY = "inventory";
    /** (next action time, identity) → nothing: read in time order, so a tick touches only what is due. */
    public static final String DUE_INDEX = "due-index";
    /** (node name, identity) → nothing: a Node's identities, for removing them when the Node goes. */
    public static final String NODE_INDEX = "node-index";

    private StoreNames() {
    }
}

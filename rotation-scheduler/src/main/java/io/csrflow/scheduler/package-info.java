/**
 * The rotation-scheduler: an inventory of the newest certificate per identity, kept in Kafka
 * Streams state stores, and {@code cert.renewal-due} events at each certificate's rotation deadline.
 * See DESIGN.md in this module.
 */
package io.csrflow.scheduler;

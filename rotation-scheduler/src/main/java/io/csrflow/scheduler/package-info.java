/**
 * The rotation-scheduler: see DESIGN.md. This module so far starts, reports health and metrics, and does
 * nothing else; its issue fills it in.
 */
package io.csrflow.scheduler;

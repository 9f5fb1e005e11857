package io.csrflow.deploy;

import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A source of the objects that deploy csrflow: a kustomization of k8s/ ({@code kubectl kustomize})
 * or charts/csrflow with a values preset ({@code helm template}). Every deployment check runs on
 * each; what differs between variants (dev, production) is checked on both tools' rendering of it.
 */
enum Rendering {
    KUSTOMIZE_BASE(Tool.KUSTOMIZE, Variant.BASE),
    KUSTOMIZE_DEV(Tool.KUSTOMIZE, Variant.DEV),
    KUSTOMIZE_PRODUCTION(Tool.KUSTOMIZE, Variant.PRODUCTION),
    HELM_DEFAULTS(Tool.HELM, Variant.BASE),
    HELM_DEV(Tool.HELM, Variant.DEV),
    HELM_PRODUCTION(Tool.HELM, Variant.PRODUCTION);

    enum Tool { KUSTOMIZE, HELM }

    /** A deployment as k8s/ names it (an overlay) and as the chart names it (a values preset). */
    enum Variant {
        BASE("k8s/base", null),
        DEV("k8s/overlays/dev", "values-dev.yaml"),
        PRODUCTION("k8s/overlays/production", "values-production.yaml");

        final String overlay;
        /** A values file of charts/csrflow; null: the chart's own values.yaml alone. */
        final String preset;

        Variant(String overlay, String preset) {
            this.overlay = overlay;
            this.preset = preset;
        }
    }

    final Tool tool;
    final Variant variant;

    Rendering(Tool tool, Variant variant) {
        this.tool = tool;
        this.variant = variant;
    }

    /** The rendered objects, rendered once per test run. */
    List<JsonNode> objects() {
        return tool == Tool.KUSTOMIZE ? Repo.render(variant.overlay) : Chart.template(variant.preset);
    }

    static Rendering of(Tool tool, Variant variant) {
        return Arrays.stream(values()).filter(r -> r.tool == tool && r.variant == variant).findFirst().orElseThrow();
    }

    /** The command that renders it, as a test report names it. */
    @Override
    public String toString() {
        return tool == Tool.KUSTOMIZE ? "kubectl kustomize " + variant.overlay
                : "helm template " + Chart.PATH + (variant.preset == null ? "" : " -f " + variant.preset);
    }
}

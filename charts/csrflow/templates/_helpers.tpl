{{/*
Helm's labels on every object's metadata (never on selectors or pod templates, which stay as k8s/
has them).
*/}}
{{- define "csrflow.helmLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The labels of a service's objects: its name, part of csrflow. Argument: (list $ "service-name"). */}}
{{- define "csrflow.serviceLabels" -}}
app.kubernetes.io/name: {{ index . 1 }}
app.kubernetes.io/part-of: csrflow
{{ include "csrflow.helmLabels" (index . 0) }}
{{- end }}

{{/* The four services, as their objects and the label app.kubernetes.io/name call them. */}}
{{- define "csrflow.serviceNames" -}}
[csr-watcher, approver-service, signer-service, rotation-scheduler]
{{- end }}

{{- define "csrflow.signerNamespace" -}}
{{ .Values.signerService.namespace | default .Values.namespace }}
{{- end }}

{{/* The namespace a service runs in. Argument: (list $ "service-name"). */}}
{{- define "csrflow.namespaceOf" -}}
{{- if eq (index . 1) "signer-service" }}{{ include "csrflow.signerNamespace" (index . 0) }}{{ else }}{{ (index . 0).Values.namespace }}{{ end }}
{{- end }}

{{- define "csrflow.kafkaPort" -}}
{{ ternary 9093 9092 .Values.kafka.scramTls.enabled }}
{{- end }}

{{/*
The bootstrap servers for a service in a namespace: the Service's short name resolves only in its
own namespace. Argument: (list $ "namespace").
*/}}
{{- define "csrflow.bootstrapServers" -}}
{{- $ := index . 0 -}}
{{- if $.Values.kafka.bootstrapServers -}}
{{ $.Values.kafka.bootstrapServers }}
{{- else -}}
csrflow-kafka-bootstrap{{ if ne (index . 1) $.Values.namespace }}.{{ $.Values.namespace }}.svc{{ end }}:{{ include "csrflow.kafkaPort" $ }}
{{- end -}}
{{- end }}

{{/*
A peer in another namespace: the signer's pods when the signer has a namespace of its own.
*/}}
{{- define "csrflow.signerPeer" -}}
- namespaceSelector:
    matchLabels: {kubernetes.io/metadata.name: {{ include "csrflow.signerNamespace" . }}}
  podSelector:
    matchLabels: {app.kubernetes.io/name: signer-service}
{{- end }}

{{/* The peers allowed on the Kafka listener: csrflow's services. */}}
{{- define "csrflow.kafkaClientPeers" -}}
- podSelector:
    matchExpressions:
      - {key: app.kubernetes.io/name, operator: In, values: {{ include "csrflow.serviceNames" . }}}
{{- if ne (include "csrflow.signerNamespace" .) .Values.namespace }}
{{ include "csrflow.signerPeer" . }}
{{- end }}
{{- end }}

{{/*
The signer's properties file (QUARKUS_CONFIG_LOCATIONS): signer names are map keys with dashes,
which SmallRye Config cannot read from environment variables.
*/}}
{{- define "csrflow.signerProperties" -}}
# signer-service: one CA per signer, from the chart's signerService.signers. Each CA is a
# kubernetes.io/tls Secret mounted at /etc/csrflow/ca/<signer>.
{{- range $signer := .Values.signerService.signers }}
{{- $key := ternary (printf "%q" $signer.name) $signer.name (contains "/" $signer.name) }}
{{- $dir := include "csrflow.caDirectory" $signer }}
csrflow.signer.signers.{{ $key }}.cert-file=/etc/csrflow/ca/{{ $dir }}/tls.crt
csrflow.signer.signers.{{ $key }}.key-file=/etc/csrflow/ca/{{ $dir }}/tls.key
{{- range $name, $value := $signer.properties }}
csrflow.signer.signers.{{ $key }}.{{ $name }}={{ $value }}
{{- end }}
{{- end }}
{{ end }}

{{/* A signer's full name: Kubernetes' are given after "kubernetes.io/", others whole. */}}
{{- define "csrflow.signerName" -}}
{{- if hasPrefix "kubernetes.io/" .name }}
{{- fail (printf "signerService.signers: name %s: give Kubernetes' signers without kubernetes.io/ (%s)" .name (trimPrefix "kubernetes.io/" .name)) }}
{{- end -}}
{{ ternary .name (printf "kubernetes.io/%s" .name) (contains "/" .name) }}
{{- end }}

{{/* Where a signer's CA Secret is mounted under /etc/csrflow/ca: its name, '/' as '_'. */}}
{{- define "csrflow.caDirectory" -}}
{{ .name | replace "/" "_" }}
{{- end }}

{{/*
The signer's ConfigMap is named after a hash of its content, as kustomize's configMapGenerator names
it in k8s/: a change of signers makes a new name, and so rolls the signer.
*/}}
{{- define "csrflow.signerConfigName" -}}
csrflow-signer-config-{{ include "csrflow.signerProperties" . | sha256sum | trunc 10 }}
{{- end }}

{{/* A CA Secret's volume: its name without the "csrflow-" prefix (kubelet-client-ca, ...). */}}
{{- define "csrflow.caVolume" -}}
{{ trimPrefix "csrflow-" .secretName }}
{{- end }}

{{/*
An environment variable set only when its value is not the code's default, so that the chart
renders what k8s/ renders; tools/deploy-check reads the code's defaults and checks the result.
Argument: (list "NAME" value default).
*/}}
{{- define "csrflow.envUnlessDefault" -}}
{{- if ne (toString (index . 1)) (toString (index . 2)) }}
- {name: {{ index . 0 }}, value: {{ index . 1 | toString | quote }}}
{{- end }}
{{- end }}

{{/*
A csrflow Deployment. Argument: dict with root ($), name, port, values (the service's values), env,
volumeMounts and volumes (YAML lists of what the service adds, as text).
*/}}
{{- define "csrflow.deployment" -}}
{{- $ := .root -}}
{{- $namespace := include "csrflow.namespaceOf" (list $ .name) -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .name }}
  namespace: {{ $namespace }}
  labels:
    {{- include "csrflow.serviceLabels" (list $ .name) | nindent 4 }}
spec:
  replicas: {{ .values.replicas }}
  selector:
    matchLabels: {app.kubernetes.io/name: {{ .name }}}
  template:
    metadata:
      labels: {app.kubernetes.io/name: {{ .name }}, app.kubernetes.io/part-of: csrflow}
    spec:
      serviceAccountName: {{ .name }}
      securityContext:
        runAsNonRoot: true
        # The image's user (USER 185 in its Dockerfile) and its group. fsGroup makes the kubelet give
        # the files of Secret and ConfigMap volumes to group 185 with group read added (0440).
        runAsUser: 185
        runAsGroup: 185
        fsGroup: 185
        seccompProfile: {type: RuntimeDefault}
      {{- with $.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with .values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $.Values.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .name }}
          image: {{ printf "%s:%s" .values.image.repository ($.Values.image.tag | default $.Chart.AppVersion) | quote }}
          {{- with $.Values.image.pullPolicy }}
          imagePullPolicy: {{ . }}
          {{- end }}
          ports:
            - {name: http, containerPort: {{ .port }}}
          env:
            - {name: QUARKUS_HTTP_PORT, value: {{ .port | quote }}}
            - {name: KAFKA_BOOTSTRAP_SERVERS, value: {{ include "csrflow.bootstrapServers" (list $ $namespace) | quote }}}
            {{- if $.Values.kafka.scramTls.enabled }}
            # As its own KafkaUser (Strimzi's Secret of the same name), trusting the cluster CA.
            - {name: KAFKA_SECURITY_PROTOCOL, value: SASL_SSL}
            - {name: KAFKA_SASL_MECHANISM, value: SCRAM-SHA-512}
            - name: KAFKA_SASL_JAAS_CONFIG
              valueFrom: {secretKeyRef: {name: {{ .name }}, key: sasl.jaas.config}}
            - {name: KAFKA_SSL_TRUSTSTORE_TYPE, value: PEM}
            - name: KAFKA_SSL_TRUSTSTORE_CERTIFICATES
              valueFrom: {secretKeyRef: {name: csrflow-cluster-ca-cert, key: ca.crt}}
            {{- end }}
            - {name: QUARKUS_LOG_CONSOLE_JSON_ENABLED, value: {{ $.Values.logs.json | toString | quote }}}
            - {name: QUARKUS_OTEL_SDK_DISABLED, value: {{ not $.Values.tracing.enabled | toString | quote }}}
            - {name: QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT, value: {{ $.Values.tracing.otlpEndpoint | quote }}}
            {{- with .env }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with .values.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          readinessProbe:
            httpGet: {path: /q/health/ready, port: http}
            periodSeconds: 10
          livenessProbe:
            httpGet: {path: /q/health/live, port: http}
            initialDelaySeconds: 20
            periodSeconds: 20
          resources:
            {{- toYaml .values.resources | nindent 12 }}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {drop: [ALL]}
          volumeMounts:
            - {name: tmp, mountPath: /tmp}
            {{- with .volumeMounts }}
            {{- . | nindent 12 }}
            {{- end }}
      volumes:
        - {name: tmp, emptyDir: {}}
        {{- with .volumes }}
        {{- . | nindent 8 }}
        {{- end }}
{{- end }}

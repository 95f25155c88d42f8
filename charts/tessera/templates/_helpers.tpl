{{/* Names, labels and images shared by every template. */}}

{{- define "tessera.fullname" -}}
{{- if contains "tessera" .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-tessera" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "tessera.labels" -}}
app.kubernetes.io/name: tessera
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "store") */}}
{{- define "tessera.selectorLabels" -}}
app.kubernetes.io/name: tessera
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Full image reference: (dict "root" $ "image" .Values.store.image) */}}
{{- define "tessera.image" -}}
{{- $tag := .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- if .root.Values.image.registry -}}
{{- printf "%s/%s:%s" (trimSuffix "/" .root.Values.image.registry) .image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "tessera.operatorName" -}}{{ include "tessera.fullname" . }}-operator{{- end -}}
{{- define "tessera.storeName" -}}{{ include "tessera.fullname" . }}-store{{- end -}}

{{- define "tessera.storeUrl" -}}
{{- printf "http://%s.%s.svc:%d" (include "tessera.storeName" .) .Release.Namespace (int .Values.store.service.port) -}}
{{- end -}}


{{- define "tessera.requiredSecrets" -}}
{{- $_ := required "database.existingSecret is required: name the Secret that holds the PostgreSQL connection URL (kubectl create secret generic tessera-postgres --from-literal=url=postgres://...)" .Values.database.existingSecret -}}
{{- $_ := required "redis.existingSecret is required: name the Secret that holds the Redis URL (kubectl create secret generic tessera-redis --from-literal=url=redis://...)" .Values.redis.existingSecret -}}
{{- end -}}

{{/* Egress every Tessera pod needs: DNS and the Kubernetes API server (by port). */}}
{{- define "tessera.egressCommon" -}}
# DNS
- ports:
    - { protocol: UDP, port: 53 }
    - { protocol: TCP, port: 53 }
# the Kubernetes API server (its address differs per cluster, so by port)
- ports:
  {{- range .Values.networkPolicy.apiServerPorts }}
    - { protocol: TCP, port: {{ . }} }
  {{- end }}
{{- end -}}

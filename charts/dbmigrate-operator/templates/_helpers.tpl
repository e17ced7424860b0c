{{/* Names are cut at 63 characters: label values and many resource names allow no more. */}}
{{- define "dbmigrate.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "dbmigrate.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "dbmigrate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dbmigrate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "dbmigrate.labels" -}}
{{ include "dbmigrate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: dbmigrate
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "dbmigrate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "dbmigrate.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
What the operator does in the namespaces it watches; README.md "Permissions" lists the same rules, and a test
checks that the two agree and that the operator's recorded API requests need no more.
*/}}
{{- define "dbmigrate.operatorRules" -}}
- apiGroups: ["dbmigrate.io"]
  resources: ["databasemigrations"]
  verbs: ["get", "list", "watch", "create", "patch", "delete"]
- apiGroups: ["dbmigrate.io"]
  resources: ["databasemigrations/status"]
  verbs: ["patch"]
- apiGroups: ["dbmigrate.io"]
  resources: ["databasemigrationsets"]
  verbs: ["get", "list", "watch", "patch"]
- apiGroups: ["dbmigrate.io"]
  resources: ["databasemigrationsets/status"]
  verbs: ["patch"]
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: ["get", "list", "watch", "create"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
- apiGroups: ["apps"]
  resources: ["deployments"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "create", "update"]
{{- end -}}

{{/* Cross-field rules the schema cannot say clearly. */}}
{{- define "dbmigrate.validate" -}}
{{- if and (gt (int .Values.replicas) 1) (not .Values.leaderElection.enabled) -}}
{{- fail "replicas > 1 needs leaderElection.enabled=true: without a Lease every replica would reconcile the same resources" -}}
{{- end -}}
{{- if and (not .Values.serviceAccount.create) (not .Values.serviceAccount.name) -}}
{{- fail "serviceAccount.create=false needs serviceAccount.name: without it the chart would bind the operator's permissions to the namespace's default ServiceAccount, and so to every pod using it" -}}
{{- end -}}
{{- if and .Values.metrics.serviceMonitor.enabled (not .Values.metrics.enabled) -}}
{{- fail "metrics.serviceMonitor.enabled=true needs metrics.enabled=true: the ServiceMonitor selects the metrics Service" -}}
{{- end -}}
{{- end -}}

{{/* Name of the release's objects: the release name, or <release>-medvault when it lacks "medvault". */}}
{{- define "medvault.fullname" -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "medvault.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: medvault
{{- end -}}

{{/* Pod selector of one component (a service or clamd): (dict "root" $ "component" NAME). */}}
{{- define "medvault.selector" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/*
The effective settings of one service: serviceDefaults overridden by services.<name>, as YAML
(callers use fromYaml). Lists are replaced, not merged.
*/}}
{{- define "medvault.service" -}}
{{- $svc := mergeOverwrite (deepCopy .root.Values.serviceDefaults) (deepCopy (index .root.Values.services .name)) -}}
{{- toYaml $svc -}}
{{- end -}}

{{/* IAM role ARN bound to a service's ServiceAccount (IRSA); deploy/iam/render.mjs creates the role. */}}
{{- define "medvault.roleArn" -}}
{{- printf "arn:aws:iam::%s:role/%s%s" (toString .root.Values.aws.accountId) .root.Values.aws.rolePrefix .name -}}
{{- end -}}

{{/* Image reference of a service: per-service override, else the shared image. */}}
{{- define "medvault.image" -}}
{{- $repo := dig "repository" "" .svc.image | default .root.Values.image.repository -}}
{{- $tag := dig "tag" "" .svc.image | default .root.Values.image.tag | toString -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}

{{/* Container securityContext shared by every container: non-root, read-only root filesystem. */}}
{{- define "medvault.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
{{- end -}}

package main

import (
	"embed"
	"fmt"
	"path"
	"strings"

	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/kube-openapi/pkg/validation/spec"
	"k8s.io/kube-openapi/pkg/validation/strfmt"
	"k8s.io/kube-openapi/pkg/validation/validate"
	"sigs.k8s.io/yaml"
)

// KEDA's CustomResourceDefinitions, copied unchanged from the KEDA module this program builds
// against (github.com/kedacore/keda/v2@v2.17.0, config/crd/bases): the Go types catch unknown fields
// and wrong types, the CRDs' OpenAPI schemas what the API server would also refuse (required
// fields, enums such as podIdentity.provider, minimums).
//
//go:embed crds/*.yaml
var crdFiles embed.FS

type crdSchemas map[schema.GroupVersionKind]*validate.SchemaValidator

func loadCRDSchemas() (crdSchemas, error) {
	out := crdSchemas{}
	entries, err := crdFiles.ReadDir("crds")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		raw, err := crdFiles.ReadFile(path.Join("crds", e.Name()))
		if err != nil {
			return nil, err
		}
		var crd apiextv1.CustomResourceDefinition
		if err := yaml.UnmarshalStrict(raw, &crd); err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		for _, v := range crd.Spec.Versions {
			if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
				return nil, fmt.Errorf("%s %s: no schema", e.Name(), v.Name)
			}
			// The CRD's JSON Schema, read as the OpenAPI schema type the validator takes (the
			// x-kubernetes-* extensions these CRDs use only concern list merging).
			js, err := yaml.Marshal(v.Schema.OpenAPIV3Schema)
			if err != nil {
				return nil, err
			}
			s := new(spec.Schema)
			if err := yaml.Unmarshal(js, s); err != nil {
				return nil, fmt.Errorf("%s %s: %w", e.Name(), v.Name, err)
			}
			gvk := schema.GroupVersionKind{Group: crd.Spec.Group, Version: v.Name, Kind: crd.Spec.Names.Kind}
			out[gvk] = validate.NewSchemaValidator(s, nil, "", strfmt.Default)
		}
	}
	return out, nil
}

// validate checks an object of a custom kind against its CRD schema; other kinds pass.
func (c crdSchemas) validate(gvk schema.GroupVersionKind, obj map[string]interface{}) error {
	v, ok := c[gvk]
	if !ok {
		return nil
	}
	res := v.Validate(obj)
	if res.IsValid() {
		return nil
	}
	msgs := make([]string, 0, len(res.Errors))
	for _, e := range res.Errors {
		msgs = append(msgs, e.Error())
	}
	return fmt.Errorf("%s does not match the CRD schema: %s", gvk.Kind, strings.Join(msgs, "; "))
}

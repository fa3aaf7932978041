// medvault-chart-check renders the MedVault Helm chart with Helm's own engine (the code path of
// `helm template`) and decodes every rendered object STRICTLY into the real Kubernetes API types
// (client-go's scheme) and KEDA's API types, and validates KEDA objects against KEDA's CRD schemas
// (crd.go), so a typo'd or misplaced field fails offline, with no cluster and no helm binary. On success it prints one JSON line per object for the graph tests:
//
//	{"template":"medvault/templates/x.yaml","object":{...}}
//
// Usage: medvault-chart-check [-release NAME] [-namespace NS] [-kube-version v1.32.0] [-f values.yaml]... CHART_DIR
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"k8s.io/apimachinery/pkg/runtime"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

type valueFiles []string

func (v *valueFiles) String() string     { return strings.Join(*v, ",") }
func (v *valueFiles) Set(s string) error { *v = append(*v, s); return nil }

func main() {
	var files valueFiles
	release := flag.String("release", "medvault", "release name")
	namespace := flag.String("namespace", "medvault", "release namespace")
	kubeVersion := flag.String("kube-version", "v1.32.0", "Kubernetes version for Capabilities and the chart's kubeVersion")
	flag.Var(&files, "f", "values file (repeatable; later files win, as with helm -f)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: medvault-chart-check [-f values.yaml]... CHART_DIR")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *release, *namespace, *kubeVersion, files); err != nil {
		fmt.Fprintln(os.Stderr, "chart-check:", err)
		os.Exit(1)
	}
}

func run(chartDir, release, namespace, kubeVersion string, files []string) error {
	chrt, err := loader.Load(chartDir)
	if err != nil {
		return fmt.Errorf("load chart: %w", err)
	}
	user := map[string]interface{}{}
	for _, f := range files {
		vals, err := chartutil.ReadValuesFile(f)
		if err != nil {
			return fmt.Errorf("read %s: %w", f, err)
		}
		user = mergeMaps(user, vals.AsMap())
	}
	// As `helm template --kube-version`: the chart's kubeVersion constraint must admit the target.
	// The library's own default is v1.20 (the helm binary sets it at build time), so the target is
	// explicit: by default the Kubernetes of the API types this program decodes into.
	kv, err := chartutil.ParseKubeVersion(kubeVersion)
	if err != nil {
		return err
	}
	caps := chartutil.DefaultCapabilities.Copy()
	caps.KubeVersion = *kv
	if want := chrt.Metadata.KubeVersion; want != "" && !chartutil.IsCompatibleRange(want, caps.KubeVersion.String()) {
		return fmt.Errorf("chart requires kubeVersion %s, capabilities are %s", want, caps.KubeVersion.String())
	}
	opts := chartutil.ReleaseOptions{Name: release, Namespace: namespace, Revision: 1, IsInstall: true}
	// ToRenderValues coalesces the chart defaults and validates values.schema.json, as helm does.
	vals, err := chartutil.ToRenderValues(chrt, user, opts, caps)
	if err != nil {
		return fmt.Errorf("values: %w", err)
	}
	// Strict engine: a reference to a missing value is an error, not an empty string.
	eng := engine.Engine{Strict: true}
	rendered, err := eng.Render(chrt, vals)
	if err != nil {
		return fmt.Errorf("render: %w", err)
	}
	decoder, err := strictDecoder()
	if err != nil {
		return err
	}
	crds, err := loadCRDSchemas()
	if err != nil {
		return fmt.Errorf("KEDA CRDs: %w", err)
	}
	names := make([]string, 0, len(rendered))
	for name := range rendered {
		names = append(names, name)
	}
	sort.Strings(names)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	// First line: the coalesced values the templates saw, so tests can relate objects to settings.
	coalesced, err := json.Marshal(map[string]interface{}{"values": vals["Values"]})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, string(coalesced))
	var problems []string
	count := 0
	for _, name := range names {
		if strings.HasSuffix(name, "NOTES.txt") || !strings.HasSuffix(name, ".yaml") {
			continue
		}
		for i, doc := range splitDocs(rendered[name]) {
			obj, err := decodeStrict(decoder, crds, doc)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s (document %d): %v", name, i+1, err))
				continue
			}
			line, err := json.Marshal(map[string]interface{}{"template": name, "object": obj})
			if err != nil {
				return err
			}
			fmt.Fprintln(out, string(line))
			count++
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	if count == 0 {
		return errors.New("the chart rendered no objects")
	}
	return nil
}

// strictDecoder knows the built-in Kubernetes types and KEDA's; unknown fields, duplicate fields
// and unregistered kinds are errors.
func strictDecoder() (runtime.Decoder, error) {
	s := runtime.NewScheme()
	if err := scheme.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := kedav1alpha1.AddToScheme(s); err != nil {
		return nil, err
	}
	return kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, s, s,
		kjson.SerializerOptions{Yaml: false, Pretty: false, Strict: true}), nil
}

func decodeStrict(d runtime.Decoder, crds crdSchemas, doc string) (map[string]interface{}, error) {
	// YAMLToJSONStrict rejects duplicate keys, which the JSON decoder could not see any more.
	raw, err := yaml.YAMLToJSONStrict([]byte(doc))
	if err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	_, gvk, err := d.Decode(raw, nil, nil)
	if err != nil {
		return nil, err
	}
	var obj map[string]interface{}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, err
	}
	if err := crds.validate(*gvk, obj); err != nil {
		return nil, err
	}
	return obj, nil
}

var sep = regexp.MustCompile(`(?m)^---\s*$`)

// splitDocs splits a rendered template on YAML document separators and drops empty documents
// (templates disabled by values render to whitespace or comments only).
func splitDocs(s string) []string {
	var docs []string
	for _, d := range sep.Split(s, -1) {
		if hasContent(d) {
			docs = append(docs, d)
		}
	}
	return docs
}

func hasContent(doc string) bool {
	for _, l := range strings.Split(doc, "\n") {
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, "#") {
			return true
		}
	}
	return false
}

// mergeMaps is helm's -f merge: maps merge recursively, anything else is replaced by the later file.
func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bv, ok := v.(map[string]interface{}); ok {
			if av, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeMaps(av, bv)
				continue
			}
		}
		out[k] = v
	}
	return out
}

//go:build tools

// Package tools only pins the module graph; the binaries are built with
// `go build k8s.io/kubernetes/cmd/...` from this directory.
package tools

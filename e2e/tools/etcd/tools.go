//go:build tools

// Package tools only pins the module graph for building etcd.
package tools

#!/usr/bin/env bash
# Install (or reuse a cached) actionlint, the GitHub Actions workflow linter, at the pinned
# version; prints the binary's path as the last line (see tools/go-install.sh).
exec bash "$(dirname "${BASH_SOURCE[0]}")/go-install.sh" actionlint github.com/rhysd/actionlint/cmd/actionlint v1.7.12

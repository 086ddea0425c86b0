package config

//go:generate go run ../../internal/cmd/genconfig -root ../..

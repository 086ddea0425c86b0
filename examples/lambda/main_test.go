package main

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func TestHandlerRecordsASpan(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	out, err := handleRequest(context.Background(), map[string]any{"a": 1, "b": 2})
	if err != nil || out != "Success" {
		t.Fatalf("handleRequest = %q, %v", out, err)
	}
	spans := rec.Ended()
	if len(spans) != 1 || spans[0].Name() != "process-event" {
		t.Fatalf("spans = %v; want one process-event span", spans)
	}
	for _, a := range spans[0].Attributes() {
		if a.Key == "event.keys" && a.Value.AsInt64() == 2 {
			return
		}
	}
	t.Errorf("attributes = %v; want event.keys=2", spans[0].Attributes())
}

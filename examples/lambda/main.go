// Command lambda is the example function of the aws stack (seeds §3.4): a Go handler
// instrumented with otellambda that sends its spans over OTLP/gRPC to the otelfleet
// collector behind the internal NLB. The stack's lambdaotel component sets everything it
// reads: OTEL_EXPORTER_OTLP_ENDPOINT (http:// means plaintext inside the VPC),
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES.
package main

import (
	"context"
	"log"

	"github.com/aws/aws-lambda-go/lambda"
	"go.opentelemetry.io/contrib/instrumentation/github.com/aws/aws-lambda-go/otellambda"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

func main() {
	ctx := context.Background()
	// Endpoint, protocol security and headers come from the OTEL_EXPORTER_OTLP_* variables.
	exporter, err := otlptracegrpc.New(ctx)
	if err != nil {
		log.Fatalf("otlp exporter: %v", err)
	}
	res, err := resource.New(ctx, resource.WithFromEnv(), resource.WithTelemetrySDK())
	if err != nil {
		log.Fatalf("resource: %v", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	// WithFlusher flushes the batch after every invocation: Lambda freezes the process
	// between invocations, and a span left in the batcher would be lost or late.
	lambda.Start(otellambda.InstrumentHandler(handleRequest, otellambda.WithTracerProvider(tp), otellambda.WithFlusher(tp)))
}

// handleRequest is the business logic: one child span under the invocation's span.
func handleRequest(ctx context.Context, event map[string]any) (string, error) {
	_, span := otel.Tracer("otelfleet/examples/lambda").Start(ctx, "process-event")
	defer span.End()
	span.SetAttributes(attribute.Int("event.keys", len(event)))
	return "Success", nil
}

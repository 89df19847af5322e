/**
 * OpenTelemetry traces over OTLP/HTTP into Tempo. No context manager is installed (the service passes the parent
 * context explicitly), which keeps the request path free of async-hooks bookkeeping.
 */
import { context, propagation, trace, SpanStatusCode, type Context, type Span } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

export const tracer = trace.getTracer("aiplatform-rag");

/** Registers the exporter when an endpoint is configured; returns the flush-and-stop function for shutdown. */
export function startTelemetry(endpoint: string | undefined, serviceName: string): () => Promise<void> {
    if (!endpoint) return async () => undefined;
    const provider = new TracerProvider({
        resource: resourceFromAttributes({ "service.name": serviceName }),
        spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }) })],
    });
    trace.setGlobalTracerProvider(provider);
    // Requests carrying `traceparent` (the gateway, an MCP client) continue their caller's trace.
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    return () => provider.shutdown();
}

/** Runs `fn` in a child span of `parent`; the span records the error and ends however `fn` ends. */
export async function inSpan<T>(name: string, parent: Context | undefined, attributes: Record<string, string | number>, fn: (ctx: Context, span: Span) => Promise<T>): Promise<T> {
    const span = tracer.startSpan(name, { attributes }, parent ?? context.active());
    try {
        return await fn(trace.setSpan(parent ?? context.active(), span), span);
    } catch (e) {
        span.recordException(e as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).message });
        throw e;
    } finally {
        span.end();
    }
}

/** Entry point of the service: configuration (exit 2 on bad input), traces, HTTP server, graceful stop. */
import { ConfigError, loadConfig } from "./config";
import { deps } from "./deps";
import { ragServer } from "./server";
import { startTelemetry } from "./telemetry";

export function configOrExit<T>(load: () => T): T {
    try {
        return load();
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        for (const p of e.problems) console.error(`config: ${p}`);
        process.exit(2);
    }
}

if (require.main === module) {
    const config = configOrExit(() => loadConfig());
    const stopTelemetry = startTelemetry(config.OTEL_EXPORTER_OTLP_ENDPOINT, config.OTEL_SERVICE_NAME);
    const server = ragServer(deps(config), { apiKey: config.RAG_API_KEY });
    server.listen(config.RAG_PORT, () => console.log(JSON.stringify({ level: "info", msg: `listening on :${config.RAG_PORT}`, model: config.GATEWAY_MODEL })));
    process.on("SIGTERM", () => server.close(() => void stopTelemetry().finally(() => process.exit(0))));
}

import SafelistEngine
import ServiceLifecycle

/// Keeps the engine's compiled policies current with writes made through other nodes.
struct EngineFollower: Service {
    let engine: PolicyEngine

    func run() async throws {
        await cancelWhenGracefulShutdown { await engine.follow() }
    }
}
